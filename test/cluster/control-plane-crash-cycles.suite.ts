/**
 * Crash/rejoin cycles of a lab control plane, shared by the seed's and the active/active layout's
 * files: the victim is powered off while one client writes rows through the database VIP and another
 * asks for a token, the image list and the compute service list through the service VIPs; the survivor
 * runs everything and answers; the victim boots and rejoins; then the data is checked whole.
 */
import { expect } from 'vitest';
import { AckLedger, startClient } from '../lab/client.ts';
import { checkConsistency, describeReport, lostWrites, mariadbArgv, unsafe } from '../lab/consistency.ts';
import { Lab, sleep, waitFor, type ClusterStatus } from '../lab/lab.ts';
import { promotedDb } from '../lab/replication-setup.ts';
import { answersAgain, controlPlaneSettled, watchControlPlane, type ControlPlane } from '../lab/openstack-setup.ts';
import { abortsAfter, describeOperations, describeTimeline, failoverTimeline, operationsAfter } from '../lab/timeline.ts';

export interface CrashCycles {
  readonly cycles: number;
  /** The first cycle's number in the log (a file that runs the suite twice counts on). */
  readonly firstCycle?: number;
  /** Which node to power off, from the settled cluster's status. */
  readonly victim: (s: ClusterStatus) => string;
  /** What the survivor must run once it answers (beyond the promoted database). */
  readonly runsEverything?: (s: ClusterStatus, survivor: string) => boolean;
}

export async function crashCycles(lab: Lab, plane: ControlPlane, ledger: AckLedger, o: CrashCycles): Promise<void> {
  const first = o.firstCycle ?? 1;
  for (let cycle = first; cycle < first + o.cycles; cycle++) {
    // A crash of a cluster at rest: the previous rejoin's starts and first monitors have ended.
    await lab.idle();
    const before = await lab.status();
    const victim = o.victim(before);
    const survivor = lab.names.find((n) => n !== victim)!;
    // The replica, whichever node it is (the seed's victim runs Keystone, not necessarily the master),
    // is caught up before the crash.
    const replica = lab.names.find((n) => !promotedDb(before).includes(n))!;
    await lab.waitUntilSql(replica, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
    const writer = startClient(lab, 'write', 300, ledger.nextId);
    const watcher = watchControlPlane(lab, plane, 300);
    await sleep(2000);
    const crashedAt = Date.now();
    await lab.crash(victim);
    const outage = await answersAgain(watcher, crashedAt, 3000, `answers through the VIPs again (cycle ${cycle})`);
    watcher.child.kill();
    const survivorOps = operationsAfter(lab, crashedAt).filter((op) => op.node === survivor);
    console.log(
      `[lab] ${plane.layout}, cycle ${cycle}: crashed ${victim}; answers through the VIPs again after ${outage.answeredAfter?.toFixed(2)} s ` +
        `(${outage.failures} failed attempts, started +${outage.firstFailure?.toFixed(2)}..+${outage.lastFailure?.toFixed(2)} s, the last: ${outage.lastReason}); ${describeTimeline(failoverTimeline(lab, crashedAt))}; on ${survivor}: ${describeOperations(survivorOps)}; ` +
        `transitions aborted: ${abortsAfter(lab, crashedAt, outage.answeredAfter).join('; ')}`,
    );
    const after = await lab.waitUntil(
      `everything on ${survivor} (cycle ${cycle})`,
      120_000,
      (s) => promotedDb(s)[0] === survivor && (o.runsEverything?.(s, survivor) ?? true),
      survivor,
    );
    expect(promotedDb(after)).toEqual([survivor]);
    expect(after.online).not.toContain(victim);

    // Writes go on through the new primary; the crashed node boots, rejoins and replicates.
    await sleep(3000);
    await lab.start(victim);
    await lab.waitUntil(`${victim} back (cycle ${cycle})`, 300_000, (s) => controlPlaneSettled(s, lab.names, plane.layout), survivor);
    await waitFor(
      `${victim} replicating (cycle ${cycle})`,
      60_000,
      async () => {
        const r = await lab.exec(victim, mariadbArgv('SHOW SLAVE STATUS\\G', { vertical: true }));
        return r.code === 0 && /Slave_IO_Running: Yes/.test(r.stdout) ? true : undefined;
      },
      300,
    );
    writer.child.kill();
    await Promise.all([writer.done, watcher.done]);
    expect(ledger.collect(writer).length).toBeGreaterThan(0);

    // The whole data, on every instance: the writer's rows and Keystone's own tables.
    for (const table of ['demo.rows', 'keystone.project']) {
      const report = await checkConsistency(lab, survivor, { table, holdWrites: true });
      const lost = table === 'demo.rows' ? lostWrites(report, ledger.acked) : [];
      console.log(
        `[lab] ${plane.layout}, cycle ${cycle}, ${table}: ${describeReport(report)}; acknowledged so far ${ledger.acked.length}, lost ${lost.length}`,
      );
      expect(unsafe(report)).toEqual([]);
      expect(report.instances.filter((i) => i.kind === 'held-out')).toEqual([]);
      expect(lost).toEqual([]);
    }
  }
}
