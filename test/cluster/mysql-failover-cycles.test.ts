import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckLedger, recoverySeconds, startClient } from '../lab/client.ts';
import {
  checkConsistency,
  describeReport,
  heldOutReason,
  lostWrites,
  mariadbArgv,
  unsafe,
  type ConsistencyReport,
} from '../lab/consistency.ts';
import { Lab, runningOn, sleep, waitFor } from '../lab/lab.ts';
import { describeTimeline, failoverTimeline, pacemakerLogLines } from '../lab/timeline.ts';
import {
  masterSlaveCrm,
  prepareReplicas,
  promotedDb,
  recloneFromPrimary,
  setMasterAddresses,
  unpromotedDb,
} from '../lab/replication-setup.ts';
import { diagnoseFailures } from '../lab/diagnostics.ts';

// Jepsen-style: the primary is powered off again and again, alternating nodes, while a client writes
// one row at a time through the VIP (autocommit, an acknowledged id is never retried). After each cycle
// the crashed node is booted and rejoins; then the whole table is compared on every instance, and every
// id acknowledged in any cycle so far must be on the primary. With asynchronous replication a crash may
// take acknowledged writes the replica never received: the old primary then returns with them as
// errant transactions and is held out (never replicated over); the test checks that every such row is
// on that held-out instance, counts it as lost, and re-clones the instance as the README tells an
// operator to, so that the cycles go on.
// Two cycles crash each node once, and the second promotes an instance that rejoined after the first;
// TSHA_FULL=1 runs a third (the whole-suite time on two cores: docs/development.md).
const CYCLES = process.env.TSHA_FULL === '1' ? 3 : 2;

/** The agent's own log lines, on every node, saying it replicated back transactions crash recovery truncated. */
function healedTails(lab: Lab): string[] {
  return lab.names.flatMap((n) => pacemakerLogLines(lab, n).filter((l) => /were lost here \(crash recovery\)/.test(l)));
}

interface CycleFigures {
  failover: number | undefined;
  acknowledged: number;
  lost: number;
  diverged: number;
  heldOut: number;
}

function summary(label: string, cycles: readonly CycleFigures[]): string {
  const sum = (k: 'acknowledged' | 'lost' | 'diverged' | 'heldOut') => cycles.reduce((a, c) => a + c[k], 0);
  const failovers = cycles.map((c) => c.failover?.toFixed(2) ?? '?').join(' / ');
  return (
    `[lab] ${label}: ${cycles.length} cycles, failover (crash → first write through the VIP) ${failovers} s; ` +
    `acknowledged ${sum('acknowledged')}, lost ${sum('lost')}, diverged rejoins ${sum('diverged')}, held-out rejoins ${sum('heldOut')}`
  );
}

// The default run keeps both node counts and both replication modes; TSHA_FULL=1 adds the fourth
// combination (2 nodes, asynchronous), whose safety case — an old primary returning with acknowledged
// writes the replica never got is held out, never replicated over — the 3-node asynchronous cycles and
// mysql-replication.test.ts's 2-node asynchronous test already run. About 3 minutes of CI each.
const MATRIX = [
  { nodes: 2, semiSync: true },
  ...(process.env.TSHA_FULL === '1' ? [{ nodes: 2, semiSync: false }] : []),
  { nodes: 3, semiSync: true },
  { nodes: 3, semiSync: false },
];

describe.each(MATRIX)(
  'ocf:tsha:mysql promotable, $nodes nodes, semi_sync=$semiSync: repeated crash/rejoin cycles under writes',
  ({ nodes, semiSync }) => {
    const lab = new Lab({ nodes, stonith: true });
    diagnoseFailures(lab);
    const label = `${nodes} nodes, semi_sync=${semiSync}`;
    const ledger = new AckLedger();
    let primary: string;

    /** Acknowledged ids that asynchronous replication lost for good, each found on a held-out instance. */
    const lostForGood = new Set<number>();

    /**
     * Every acknowledged id of every cycle so far on the primary — or, with semi_sync=false only, on an
     * instance held out for errant transactions, which is then re-cloned — and every other instance
     * consistent or held out with a reason.
     */
    async function verify(what: string): Promise<{ report: ConsistencyReport; lost: number[] }> {
      const report = await checkConsistency(lab, primary);
      const lost = lostWrites(report, ledger.acked).filter((id) => !lostForGood.has(id));
      console.log(
        `[lab] ${label}, ${what}: ${describeReport(report)}; acknowledged so far ${ledger.acked.length}, lost ${lost.length}${lost.length ? ` (${lost.slice(0, 10).join(',')})` : ''}`,
      );
      expect(unsafe(report)).toEqual([]);
      if (semiSync) expect(lost).toEqual([]);
      const heldOut = report.instances.filter((i) => i.kind === 'held-out');
      if (!semiSync && heldOut.length > 0) {
        const foundThere = new Set<string>();
        for (const h of heldOut) for (const id of await recloneFromPrimary(lab, h.node, primary)) foundThere.add(id);
        // Lost, but not silently: each lost row was on the instance that was held out for it.
        expect(lost.filter((id) => !foundThere.has(String(id)))).toEqual([]);
        for (const id of lost) lostForGood.add(id);
        await lab.waitUntil(
          'the re-cloned instances replicating again',
          120_000,
          (s) => heldOut.every((h) => unpromotedDb(s).includes(h.node) && !s.failures.some((f) => f.node === h.node)),
          primary,
        );
        const after = await checkConsistency(lab, primary);
        console.log(`[lab] ${label}, after re-cloning ${heldOut.map((h) => h.node).join(', ')}: ${describeReport(after)}`);
        expect(unsafe(after)).toEqual([]);
        expect(after.instances.filter((i) => i.kind === 'held-out')).toEqual([]);
      } else {
        expect(lost).toEqual([]);
      }
      return { report, lost };
    }

    beforeAll(async () => {
      await lab.up();
      await prepareReplicas(lab);
      for (const command of setMasterAddresses(lab)) await lab.mustExec(lab.names[0]!, command);
      await lab.loadCrm(masterSlaveCrm(lab, nodes === 2 ? 'master-slave' : 'promoted', semiSync));
      const s = await lab.waitUntil(
        'one promoted instance with the VIP, the others replicating',
        120_000,
        (s) => promotedDb(s).length === 1 && unpromotedDb(s).length === nodes - 1 && runningOn(s, 'vip')[0] === promotedDb(s)[0],
      );
      primary = promotedDb(s)[0]!;
    });
    afterAll(() => lab.release());

    it(`${CYCLES} cycles of crashing the primary and booting it again lose no acknowledged write and leave no instance diverged`, async () => {
      const figures: CycleFigures[] = [];
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const crashed = primary;
        for (const n of lab.names.filter((n) => n !== crashed)) {
          await lab.waitUntilSql(n, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
        }
        const writer = startClient(lab, 'write', 240, ledger.nextId);
        await sleep(2000);
        const crashedAt = Date.now();
        await lab.crash(crashed);
        const survivor = lab.liveNodes()[0]!;
        const after = await lab.waitUntil(
          `a survivor promoted with the VIP (cycle ${cycle})`,
          90_000,
          (s) => promotedDb(s).length === 1 && promotedDb(s)[0] !== crashed && runningOn(s, 'vip')[0] === promotedDb(s)[0],
          survivor,
        );
        primary = promotedDb(after)[0]!;
        // Writes go on through the new primary, then the crashed node boots and rejoins.
        await sleep(3000);
        await lab.start(crashed);
        const rejoined = await lab.waitUntil(
          `${crashed} back as a replica, or held out (cycle ${cycle})`,
          120_000,
          (s) => unpromotedDb(s).includes(crashed) || heldOutReason(s, crashed) !== undefined,
          primary,
        );
        // Replicating again, or held out (its monitor fails with a reason): whichever comes first.
        if (unpromotedDb(rejoined).includes(crashed)) {
          await waitFor(
            `${crashed} replicating or held out (cycle ${cycle})`,
            60_000,
            async () => {
              const r = await lab.exec(crashed, mariadbArgv('SHOW SLAVE STATUS\\G', { vertical: true }));
              if (r.code === 0 && /Slave_IO_Running: Yes/.test(r.stdout)) return true;
              const s = await lab.status(primary).catch(() => undefined);
              return s && heldOutReason(s, crashed) !== undefined ? true : undefined;
            },
            300,
          );
        }
        await sleep(2000);
        writer.child.kill();
        await writer.done;
        const ids = ledger.collect(writer);
        expect(ids.length).toBeGreaterThan(0);
        const { report, lost } = await verify(`cycle ${cycle} (crashed ${crashed}, primary now ${primary})`);
        figures.push({
          failover: recoverySeconds(writer, crashedAt),
          acknowledged: ids.length,
          lost: lost.length,
          diverged: report.instances.filter((i) => i.kind === 'diverged').length,
          heldOut: report.instances.filter((i) => i.kind === 'held-out').length,
        });
        const f = figures.at(-1)!;
        console.log(
          `[lab] ${label}, cycle ${cycle}: failover ${f.failover?.toFixed(2) ?? '?'} s (${describeTimeline(failoverTimeline(lab, crashedAt))}), ` +
            `acknowledged ${f.acknowledged}, lost ${f.lost}, diverged ${f.diverged}, held out ${f.heldOut}`,
        );
      }
      console.log(summary(label, figures));
      // With semi-sync, crash recovery truncates what the engine had not committed; these are the rejoins
      // where a replica already had some of it (the case that once diverged silently).
      const healed = healedTails(lab);
      console.log(
        `[lab] ${label}: rejoins that replicated back a truncated tail: ${healed.length}${healed.map((l) => `\n  ${l.replace(/^.*INFO: /, '')}`).join('')}`,
      );
      expect(figures.reduce((a, c) => a + c.diverged, 0)).toBe(0);
    });

    it('a switchover back and forth (crm_resource --move --promoted, then clear) under writes keeps every instance identical', async () => {
      const s = await lab.waitUntil(
        'one promoted, the others replicating',
        120_000,
        (s) => promotedDb(s).length === 1 && unpromotedDb(s).length === nodes - 1,
      );
      const home = promotedDb(s)[0]!;
      const away = unpromotedDb(s)[0]!;
      for (const target of [away, home]) {
        for (const n of lab.names.filter((n) => n !== primary)) {
          await lab.waitUntilSql(n, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
        }
        const writer = startClient(lab, 'write', 120, ledger.nextId);
        await sleep(2000);
        const from = primary;
        await lab
          .mustExec(from, ['crm_resource', '--resource', 'ms_db', '--move', '--promoted', '--node', target])
          .catch(async () => lab.mustExec(from, ['crm_resource', '--resource', 'ms_db', '--move', '--master', '--node', target]));
        await lab.waitUntil(
          `${target} promoted with the VIP`,
          90_000,
          (s) => promotedDb(s)[0] === target && runningOn(s, 'vip')[0] === target && unpromotedDb(s).length === nodes - 1,
        );
        primary = target;
        await lab.mustExec(target, ['crm_resource', '--resource', 'ms_db', '--clear']);
        await sleep(2000);
        writer.child.kill();
        await writer.done;
        expect(ledger.collect(writer).length).toBeGreaterThan(0);
        // A switchover waits for the new primary to have everything: nothing lost, no one held out, either mode.
        const { report, lost } = await verify(`switchover ${from} → ${target}`);
        expect(lost).toEqual([]);
        expect(report.instances.filter((i) => i.kind === 'held-out')).toEqual([]);
      }
    });
  },
);
