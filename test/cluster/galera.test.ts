import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckLedger, firstAckAfter, longestPause, recoverySeconds, startClient } from '../lab/client.ts';
import { sqlOn } from '../lab/consistency.ts';
import { createDemoSchema, galeraCrm, galeraPromoted, galeraSettled, prepareGaleraNodes } from '../lab/galera-setup.ts';
import { Lab, presentOn, runningOn, sleep, waitFor, type ClusterStatus } from '../lab/lab.ts';
import { waitFenced } from '../lab/fencing.ts';
import { describeTimeline, failoverTimeline } from '../lab/timeline.ts';
import { expectGaleraConsistent, expectRejoinedByIst, galeraAgentLog, rejoinOf } from './galera-expect.ts';
import { diagnoseFailures } from '../lab/diagnostics.ts';

// ocf:tsha:galera on three lab nodes: real MariaDB 10.11 + Galera 4 from Debian, rsync SST, fencing on,
// the clone in the seed's ms spelling (target-role=Master, which once kept heartbeat/galera from ever
// bootstrapping), a VIP on a Synced member. A client writes one row at a time through the VIP
// throughout; every scenario ends with the whole table compared on every member and every
// acknowledged id looked up.
const promoted = galeraPromoted;
const vipOn = (s: ClusterStatus) => runningOn(s, 'vip')[0];

describe('ocf:tsha:galera, 3 nodes: formation, crashes, full outages, a clean stop and partitions under writes', () => {
  const lab = new Lab({ nodes: 3, stonith: true });
  diagnoseFailures(lab);
  const ledger = new AckLedger();

  async function settled(what: string, nodes: readonly string[] = lab.liveNodes(), timeoutMs = 180_000): Promise<ClusterStatus> {
    return lab.waitUntil(what, timeoutMs, galeraSettled(nodes));
  }

  const verify = (what: string) => expectGaleraConsistent(lab, ledger, what);

  const agentLog = (node: string) => galeraAgentLog(lab, node);

  beforeAll(async () => {
    await lab.up();
    await prepareGaleraNodes(lab);
  });
  afterAll(() => lab.release());

  it('forms from empty datadirs: one member bootstraps, the others join by state transfer, the VIP lands on a Synced member', async () => {
    const began = Date.now();
    // bootstrap_wait 10 s (default 30): the rules are the same, the lab waits less.
    await lab.loadCrm(galeraCrm(lab, { spelling: 'master-slave', extra: 'bootstrap_wait=10' }));
    const s = await settled('three Synced members and the VIP');
    console.log(
      `[lab] galera formation from empty datadirs: ${((Date.now() - began) / 1000).toFixed(1)} s to three Synced members and the VIP`,
    );
    await createDemoSchema(lab, vipOn(s)!);
    for (const n of lab.names) expect(await sqlOn(lab, n, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'")).toMatch(/\t3$/);
    // The writer flag: 1 on every Synced member.
    for (const n of lab.names) {
      expect((await lab.mustExec(n, ['attrd_updater', '--name', 'galera-writable', '--query'])).trim()).toMatch(/value="1"/);
    }
    await verify('after formation');
  });

  it('a crash of the VIP node under writes, twice on alternating nodes: no acknowledged write lost, each node rejoins Synced, by IST', async () => {
    for (let cycle = 1; cycle <= 2; cycle++) {
      const before = await settled(`three Synced members (cycle ${cycle})`);
      const crashed = vipOn(before)!;
      const logged = agentLog(crashed).length;
      const writer = startClient(lab, 'write', 240, ledger.nextId);
      await sleep(2000);
      const crashedAt = Date.now();
      await lab.crash(crashed);
      await lab.waitUntil(`the VIP on a survivor (cycle ${cycle})`, 60_000, (s) => vipOn(s) !== undefined && vipOn(s) !== crashed);
      await sleep(3000);
      const vipBefore = vipOn(await lab.status());
      const bootedAt = Date.now();
      await lab.start(crashed);
      await settled(`${crashed} back Synced (cycle ${cycle})`, lab.names);
      await sleep(1000);
      expect((await ledger.finish(writer)).length).toBeGreaterThan(0);
      const vipAfter = vipOn(await lab.status());
      console.log(
        `[lab] galera crash of the VIP node ${crashed} (cycle ${cycle}): first write through the VIP after ${recoverySeconds(writer, crashedAt)?.toFixed(2) ?? '?'} s ` +
          `(${describeTimeline(failoverTimeline(lab, crashedAt, 'galera'))}); while it rejoined, writes paused at most ${longestPause(writer, bootedAt).toFixed(2)} s ` +
          `and the VIP ${vipAfter === vipBefore ? `stayed on ${vipBefore}` : `moved ${vipBefore} -> ${vipAfter}`}`,
      );
      expectRejoinedByIst(lab, crashed, logged);
      await verify(`crash cycle ${cycle} (crashed ${crashed})`);
    }
  });

  it('the whole cluster powered off under writes and booted: it bootstraps from the most advanced member, nothing lost', async () => {
    const before = await settled('three Synced members');
    const history = await sqlOn(lab, vipOn(before)!, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_state_uuid'");
    const logged = lab.names.map((n) => agentLog(n).length);
    const writer = startClient(lab, 'write', 300, ledger.nextId);
    await sleep(3000);
    const bootedAt = await lab.powerLoss();
    await waitFor('a write through the VIP after the boot', 120_000, async () => firstAckAfter(writer, bootedAt));
    console.log(`[lab] galera whole-cluster power loss: writable ${firstAckAfter(writer, bootedAt)!.toFixed(2)} s after the boot`);
    await settled('three Synced members after the outage', lab.names);
    await ledger.finish(writer);
    // The bootstrap continues the cluster's history rather than beginning a new one (which would send
    // every other member to a full state transfer): each member starts at the position it recovered, and
    // none copies the datadir.
    for (const [i, n] of lab.names.entries()) {
      const r = rejoinOf(lab, n, logged[i]!);
      expect(r.startedAt, `${n}: ${r.tail}`).toBeDefined();
      expect(r.copies, `${n}: ${r.tail}`).toEqual([]);
      expect(await sqlOn(lab, n, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_state_uuid'")).toBe(history);
    }
    await verify('after a whole-cluster power loss');
  });

  it('the whole clone stopped cleanly under writes (target-role Stopped) and started again: every stop ends in time, one member bootstraps, nothing lost', async () => {
    await settled('three Synced members');
    const logged = lab.names.map((n) => agentLog(n).length);
    const writer = startClient(lab, 'write', 300, ledger.nextId);
    await sleep(3000);
    const stoppedAt = Date.now();
    // All three demote and stop at once.
    await lab.targetRole('galera-clone', 'Stopped');
    const stopped = await lab.waitUntil('every member stopped', 180_000, (s) => presentOn(s, 'galera').length === 0);
    const stopSeconds = (Date.now() - stoppedAt) / 1000;
    expect(stopped.failures.filter((f) => f.task === 'stop' || f.task === 'demote')).toEqual([]);
    // A clean shutdown writes each member's position (a crash leaves seqno -1).
    const states = lab.names.map((n) => readFileSync(join(lab.nodeDir(n), 'srv-node', 'mysql', 'grastate.dat'), 'utf8'));
    for (const text of states) expect(text).toMatch(/^seqno:\s+\d+$/m);
    const startedAt = Date.now();
    // The seed's ms spelling: target-role=Master, as loaded.
    await lab.targetRole('galera-clone', 'Master');
    await waitFor('a write through the VIP after the start', 150_000, async () => firstAckAfter(writer, startedAt));
    await settled('three Synced members after the clean stop', lab.names);
    const boot = lab.names.flatMap((n, i) =>
      agentLog(n)
        .slice(logged[i])
        .filter((l) => /bootstrapped:/.test(l))
        .map((l) => `${n} ${l.replace(/^.*INFO: /, '')}`),
    );
    console.log(
      `[lab] galera whole clone stopped cleanly: all stopped in ${stopSeconds.toFixed(1)} s (${lab.names
        .map(
          (n, i) =>
            `${n} ${/^seqno:\s+(\d+)/m.exec(states[i]!)?.[1]}${/^safe_to_bootstrap:\s*1/m.test(states[i]!) ? ' safe_to_bootstrap' : ''}`,
        )
        .join(', ')}); writable ${firstAckAfter(writer, startedAt)!.toFixed(2)} s after the start; ${boot.join('; ')}`,
    );
    expect(boot).toHaveLength(1);
    await ledger.finish(writer);
    await verify('after the whole clone stopped cleanly and started');
  });

  it('the whole cluster powered off and only two of three booted: they bootstrap after bootstrap_wait, safely, and the third rejoins later', async () => {
    await settled('three Synced members');
    const writer = startClient(lab, 'write', 300, ledger.nextId);
    await sleep(3000);
    const [a, b, late] = [...lab.names] as [string, string, string];
    const bootedAt = await lab.powerLoss([a, b]);
    await waitFor(`a write through the VIP with ${late} still off`, 120_000, async () => firstAckAfter(writer, bootedAt));
    console.log(
      `[lab] galera 2 of 3 booted after a whole-cluster power loss: writable ${firstAckAfter(writer, bootedAt)!.toFixed(2)} s after the boot`,
    );
    // The bootstrap recorded where the new history began without the missing member.
    const property = `galera-bootstrapped-without-${late}`;
    const exclusion = (await lab.mustExec(a, ['crm_attribute', '--type', 'crm_config', '--name', property, '--query', '--quiet'])).trim();
    expect(exclusion).toMatch(/^[0-9a-f-]{36}:\d+$/);
    // The race it guards against: the missing member had committed write sets the others had only
    // received when the power went. Its grastate.dat is made to say so (5 past the bootstrap): an IST
    // from there would keep transactions this cluster never had and skip five it has.
    const [uuid, seqno] = exclusion.split(':');
    writeFileSync(
      join(lab.nodeDir(late), 'srv-node', 'mysql', 'grastate.dat'),
      `# GALERA saved state\nversion: 2.1\nuuid:    ${uuid}\nseqno:   ${Number(seqno) + 5}\nsafe_to_bootstrap: 0\n`,
    );
    await sleep(2000);
    await lab.start(late);
    await settled(`${late} rejoined`, lab.names);
    await ledger.finish(writer);
    expect(agentLog(late).some((l) => /exist only here: grastate.dat moved aside, this node rejoins by full state transfer/.test(l))).toBe(
      true,
    );
    expect((await lab.exec(a, ['crm_attribute', '--type', 'crm_config', '--name', property, '--query', '--quiet'])).stdout.trim()).toBe('');
    await verify(`2 of 3 booted, then ${late}`);
  });

  it('a rolling loss, the newest member last down: the older members booted first wait for it and never bootstrap without it', async () => {
    await settled('three Synced members');
    const [first, second, last] = [...lab.names] as [string, string, string];
    const writer = startClient(lab, 'write', 300, ledger.nextId);
    await sleep(2000);
    await lab.crash(first);
    await sleep(4000);
    await lab.crash(second);
    await sleep(3000);
    await lab.crash(last);
    await ledger.finish(writer);
    await Promise.all([lab.start(first), lab.start(second)]);
    // Longer than bootstrap_wait: a majority rule that took the older pair would have fired by now.
    const waited = await lab.waitUntil(`${first} and ${second} started, waiting`, 90_000, (s) => runningOn(s, 'galera').length === 2);
    await sleep(20_000);
    const s = await lab.status(first);
    expect(promoted(s)).toEqual([]);
    const reasons = s.failures.filter((f) => f.id.startsWith('galera_')).map((f) => f.reason);
    console.log(
      `[lab] galera rolling loss, ${last} off: ${promoted(waited).length} promoted after 20 s (bootstrap_wait 10 s); crm_mon says: ${[...new Set(reasons)].join(' | ')}`,
    );
    expect(reasons.some((r) => /waiting for n3: offline; only 1\/2 of the last primary component here, no majority/.test(r))).toBe(true);
    const bootedAt = Date.now();
    const probe = startClient(lab, 'write', 300, ledger.nextId);
    await lab.start(last);
    await waitFor('a write through the VIP after the newest member booted', 120_000, async () => firstAckAfter(probe, bootedAt));
    console.log(`[lab] galera rolling loss: writable ${firstAckAfter(probe, bootedAt)!.toFixed(2)} s after ${last} booted`);
    await settled('three Synced members after the rolling loss', lab.names);
    await ledger.finish(probe);
    await verify('after the rolling loss');
  });

  it('a state transfer longer than sst_timeout: the joiner is stopped at the bound and the promote fails saying so; with a fast transfer it joins', async () => {
    const vip = vipOn(await settled('three Synced members'))!;
    const [joiner, donor] = lab.names.filter((n) => n !== vip) as [string, string];
    const cnf = join(lab.nodeDir(joiner), 'srv-node', 'my.cnf');
    const original = readFileSync(cnf, 'utf8');
    const writer = startClient(lab, 'write', 300, ledger.nextId);
    await sleep(1000);
    // The joiner comes back with the state of another history (a grastate.dat of a foreign uuid), so
    // only a full transfer can bring it in (IST needs the same history): from a donor that is not the
    // writer, through the lab's slow rsync (held 40 s on the donor).
    const crashedAt = Date.now();
    await lab.crash(joiner);
    // Booted only once fenced: the fence's power-off would otherwise hit the fresh boot.
    await waitFenced(lab, joiner, crashedAt);
    await lab.mustExec(vip, ['crm_resource', '--resource', 'galera', '--set-parameter', 'sst_timeout', '--parameter-value', '15']);
    writeFileSync(join(lab.sharedDir, 'sst-delay'), '40');
    writeFileSync(cnf, original.replace('wsrep_sst_method = rsync', `wsrep_sst_method = slowrsync\nwsrep_sst_donor = ${donor}`));
    writeFileSync(
      join(lab.nodeDir(joiner), 'srv-node', 'mysql', 'grastate.dat'),
      '# GALERA saved state\nversion: 2.1\nuuid:    11111111-2222-3333-4444-555555555555\nseqno:   1\nsafe_to_bootstrap: 0\n',
    );
    const bootedAt = Date.now();
    try {
      await lab.start(joiner);
      // Each failed promote is in the agent's log (crm_mon keeps only the last one of each operation, and
      // a retry while the donor is still held may fail sooner, "donor busy").
      const bounded = /not Synced within 1[5-7] s \(sst_timeout 15 s\): stopped, ending the state transfer; last phase: /;
      const line = await waitFor(`${joiner}'s promote to fail at sst_timeout`, 240_000, async () =>
        agentLog(joiner).find((l) => bounded.test(l)),
      );
      console.log(
        `[lab] galera long SST: promote failed at the bound ${((Date.now() - bootedAt) / 1000).toFixed(1)} s after the boot: ${line}`,
      );
      const failures = agentLog(joiner).filter((l) => /ERROR|err/.test(l) && / promote|not Synced|state transfer/i.test(l));
      console.log(`[lab] galera long SST: the joiner's failures: ${failures.map((l) => l.slice(0, 160)).join(' | ')}`);
      // The others went on taking writes through the VIP meanwhile.
      expect(firstAckAfter(writer, bootedAt + 5000)).toBeDefined();
    } finally {
      // Put the lab back whatever happened, so that the next scenario starts from three members.
      writeFileSync(cnf, original);
      writeFileSync(join(lab.sharedDir, 'sst-delay'), '0');
      await lab.exec(vip, ['crm_resource', '--resource', 'galera', '--delete-parameter', 'sst_timeout']);
      await lab.exec(vip, ['crm_resource', '--cleanup', '--resource', 'galera', '--node', joiner]);
    }
    await settled(`${joiner} joined by a plain state transfer`, lab.names);
    expect((await ledger.finish(writer)).length).toBeGreaterThan(0);
    await verify(`a long SST to ${joiner}, bounded, then a plain one`);
  });

  it('a node unplugged under writes: the majority writes on, the minority stops taking writes, and the node rejoins after replug', async () => {
    const before = await settled('three Synced members');
    const cut = lab.names.find((n) => n !== vipOn(before))!;
    const writer = startClient(lab, 'write', 240, ledger.nextId);
    await sleep(2000);
    const cutAt = Date.now();
    await lab.link(cut, 'down');
    // The minority leaves the primary component (and refuses writes) unless it is fenced first.
    const minority = await waitFor(`${cut} non-Primary or fenced`, 30_000, async () => {
      if (!lab.pid1(cut)) return 'fenced (powered off)';
      const r = await lab.exec(cut, [
        'mariadb',
        '--no-defaults',
        '-S',
        '/run/mysqld/mysqld.sock',
        '-uroot',
        '-N',
        '-B',
        '-e',
        "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_status'",
      ]);
      return /non-Primary/i.test(r.stdout) ? 'non-Primary, refusing writes' : undefined;
    });
    await sleep(4000);
    console.log(
      `[lab] galera partition of ${cut}: the minority ${minority}; the majority wrote on, longest pause between acknowledged writes ${longestPause(writer, cutAt).toFixed(2)} s`,
    );
    await lab.link(cut, 'up');
    if (!lab.pid1(cut)) await lab.start(cut);
    await settled(`${cut} back Synced`, lab.names);
    expect((await ledger.finish(writer)).length).toBeGreaterThan(0);
    await verify(`partition of ${cut}, replugged`);
  });
});
