import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledged, crashUnderClient, recoverySeconds, startClient } from '../lab/client.ts';
import { checkConsistency, describeReport, lostWrites, mariadbArgv, sqlOn, unsafe } from '../lab/consistency.ts';
import { Lab, runningOn, sleep } from '../lab/lab.ts';
import {
  masterSlaveCrm,
  prepareReplicas,
  promotedDb,
  REPLICA_PARAMS,
  REPLICATION_PASSWORD,
  setMasterAddresses,
  sqlOnStoppedInstance,
  unpromotedDb,
} from '../lab/replication-setup.ts';

import { pacemakerEnv } from '../support/pacemaker-env.ts';
import { OCF_ROOT } from '../support/paths.ts';
import { diagnoseFailures } from '../lab/diagnostics.ts';

/** The clone's parameters (REPLICA_PARAMS: key=value, space-separated) for a by-hand run. */
const replicaParams = () =>
  Object.fromEntries(REPLICA_PARAMS.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

/**
 * After anything crashed, moved or restarted: every other running instance holds exactly the primary's
 * rows (or is held out with a reason), and every acknowledged id is on the primary.
 */
async function expectConsistent(lab: Lab, primary: string, acked: readonly number[] = [], o: { heldOut?: number } = {}): Promise<void> {
  const report = await checkConsistency(lab, primary);
  console.log(`[lab] consistency: ${describeReport(report)}`);
  expect(unsafe(report)).toEqual([]);
  expect(lostWrites(report, acked)).toEqual([]);
  expect(report.instances.filter((i) => i.kind === 'held-out').length).toBe(o.heldOut ?? 0);
}

describe("ocf:tsha:mysql as a promotable clone (the seed's ms configuration, provider changed), 2 nodes, semi-sync, fencing", () => {
  const lab = new Lab({ nodes: 2, stonith: true });
  diagnoseFailures(lab);
  let primary: string;
  let acknowledgedInCrash: number[] = [];
  const replicaOf = (node: string) => lab.names.find((n) => n !== node)!;

  beforeAll(async () => {
    await lab.up();
    await prepareReplicas(lab);
    for (const command of setMasterAddresses(lab)) await lab.mustExec(lab.names[0]!, command);
    await lab.loadCrm(masterSlaveCrm(lab));
  });
  afterAll(() => lab.release());

  it('promotes one instance, puts the VIP with it, and the other replicates from it read-only', async () => {
    const s = await lab.waitUntil(
      'one Promoted instance with the VIP and one Unpromoted',
      90_000,
      (s) => promotedDb(s).length === 1 && unpromotedDb(s).length === 1 && runningOn(s, 'vip')[0] === promotedDb(s)[0],
    );
    primary = promotedDb(s)[0]!;
    const replica = replicaOf(primary);
    expect(await sqlOn(lab, primary, 'SELECT @@read_only')).toBe('0');
    expect(await sqlOn(lab, replica, 'SELECT @@read_only')).toBe('1');
    const status = await lab.waitUntilSql(replica, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/);
    expect(status).toContain(`Master_Host: ${lab.address(primary)}`);
  });

  it('validate-all on the clone passes with its real meta attributes (notify, promoted-max) and checks privileges', async () => {
    const r = await lab.exec(primary, ['crm_resource', '--resource', 'db', '--validate']);
    expect(r.stdout + r.stderr).toMatch(/returned 0/);
  });

  it("a depth-10 monitor reads the replica's role over test_user's session, or as replication_user where test_user may not read it", async () => {
    const replica = replicaOf(primary);
    // Created on the primary, replicated: a test_user allowed the test query and nothing else.
    await sqlOn(
      lab,
      primary,
      "CREATE USER 'probe'@'localhost' IDENTIFIED BY 'probe-pw'; GRANT SELECT ON mysql.user TO 'probe'@'localhost'",
    );
    await lab.waitUntilSql(replica, "SELECT COUNT(*) FROM mysql.user WHERE User='probe'", /^1$/m, 30_000);
    // The debug lines go to a file: the lab's exec hands the agent a stderr /dev/stderr cannot reopen.
    const debugLog = '/tmp/tsha-one-session-debug.log';
    const byHand = async (test: Record<string, string>) => {
      await lab.mustExec(replica, ['rm', '-f', debugLog], 10_000);
      const r = await lab.exec(
        replica,
        [`${OCF_ROOT}/resource.d/tsha/mysql`, 'monitor'],
        30_000,
        pacemakerEnv(
          { ...replicaParams(), ...test },
          {
            OCF_RESOURCE_INSTANCE: 'db:1',
            OCF_CHECK_LEVEL: '10',
            OCF_RESKEY_CRM_meta_promotable: 'true',
            OCF_RESKEY_CRM_meta_notify: 'true',
            OCF_RESKEY_CRM_meta_clone_max: '2',
            OCF_RESKEY_CRM_meta_promoted_max: '1',
            HA_debug: '1',
            HA_DEBUGLOG: debugLog,
          },
        ),
      );
      const debug = (await lab.exec(replica, ['cat', debugLog], 10_000)).stdout;
      return { ...r, debug };
    };
    const limited = await byHand({ test_user: 'probe', test_passwd: 'probe-pw' });
    expect(limited.code, limited.stderr).toBe(0);
    expect(limited.debug).toMatch(/test_user cannot read the replication state .*reading it as replication_user/);
    expect(limited.debug + limited.stderr).not.toContain('probe-pw');
    const root = await byHand({});
    expect(root.code, root.stderr).toBe(0);
    expect(root.debug).toMatch(/replication state read over test_user's session/);
    expect(root.debug).not.toMatch(/reading it as replication_user/);
    await sqlOn(lab, primary, "DROP USER 'probe'@'localhost'");
  });

  it('a crash of the primary while a client writes through the VIP loses no acknowledged write; the VIP follows the new primary', async () => {
    const crashed = primary;
    const survivor = replicaOf(crashed);
    const { client: writer, crashedAt } = await crashUnderClient(
      lab,
      crashed,
      'write',
      (s) => promotedDb(s)[0] === survivor && runningOn(s, 'vip')[0] === survivor,
      { beforeMs: 3000, afterMs: 3000 },
    );
    const s = await lab.status(survivor);
    primary = survivor;
    const acked = acknowledged(writer);
    acknowledgedInCrash = acked;
    // The writer's ids are 1, 2, 3, … and it moves on only after an acknowledgement: every id up to the
    // last acknowledged one must be on the new primary.
    const last = Math.max(0, ...acked);
    const found = Number(await sqlOn(lab, survivor, `SELECT COUNT(*) FROM demo.rows WHERE id BETWEEN 1 AND ${last}`));
    console.log(
      `[lab] tsha:mysql promotable failover (2 nodes, semi-sync): crash to first write through the VIP ${recoverySeconds(writer, crashedAt)?.toFixed(2)} s; rows acknowledged ${acked.length}, of them found on the new primary ${found}`,
    );
    expect(promotedDb(s)).toEqual([survivor]);
    expect(acked.length).toBeGreaterThan(0);
    expect(found).toBe(last);
    expect(await sqlOn(lab, survivor, 'SELECT @@read_only')).toBe('0');
  });

  it('the crashed node rejoins as a replica of the new primary', async () => {
    const returning = replicaOf(primary);
    await lab.start(returning);
    await lab.waitUntil('the returning node Unpromoted', 90_000, (s) => unpromotedDb(s)[0] === returning && promotedDb(s)[0] === primary);
    const status = await lab.waitUntilSql(returning, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/);
    expect(status).toContain(`Master_Host: ${lab.address(primary)}`);
    expect(await sqlOn(lab, returning, 'SELECT @@read_only')).toBe('1');
    await expectConsistent(lab, primary, acknowledgedInCrash);
  });

  it('a switchover (crm resource move of the promoted role) loses no write and leaves the old primary replicating', async () => {
    const old = primary;
    const next = replicaOf(old);
    const rows = Number(await sqlOn(lab, old, 'SELECT COUNT(*) FROM demo.rows'));
    await lab
      .mustExec(old, ['crm_resource', '--resource', 'ms_db', '--move', '--promoted', '--node', next])
      .catch(async () => lab.mustExec(old, ['crm_resource', '--resource', 'ms_db', '--move', '--master', '--node', next]));
    await lab.waitUntil(
      'the other node promoted with the VIP',
      90_000,
      (s) => promotedDb(s)[0] === next && runningOn(s, 'vip')[0] === next && unpromotedDb(s)[0] === old,
    );
    primary = next;
    expect(Number(await sqlOn(lab, next, 'SELECT COUNT(*) FROM demo.rows'))).toBe(rows);
    const status = await lab.waitUntilSql(old, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/);
    expect(status).toContain(`Master_Host: ${lab.address(next)}`);
    await lab.mustExec(next, ['crm_resource', '--resource', 'ms_db', '--clear']);
    await expectConsistent(lab, next, acknowledgedInCrash);
  });

  it('a long-running transaction on the primary does not hold up a switchover: its session is ended once read_only is set', async () => {
    const old = primary;
    const next = replicaOf(old);
    // A client holds a transaction open on the primary, sleeping inside it.
    const holder = lab.exec(old, mariadbArgv('BEGIN; INSERT INTO demo.rows (id) VALUES (800000001); SELECT SLEEP(300)'), 400_000);
    await sleep(1000);
    const startedAt = Date.now();
    await lab.mustExec(old, ['crm_resource', '--resource', 'ms_db', '--move', '--promoted', '--node', next]);
    await lab.waitUntil(
      'the other node promoted with the VIP',
      90_000,
      (s) => promotedDb(s)[0] === next && runningOn(s, 'vip')[0] === next && unpromotedDb(s)[0] === old,
    );
    primary = next;
    const held = await holder;
    expect(held.code).not.toBe(0);
    console.log(`[lab] switchover with a 300 s transaction open on the primary took ${((Date.now() - startedAt) / 1000).toFixed(2)} s`);
    // The uncommitted row went with the ended session.
    expect(await sqlOn(lab, next, 'SELECT COUNT(*) FROM demo.rows WHERE id = 800000001')).toBe('0');
    await lab.mustExec(next, ['crm_resource', '--resource', 'ms_db', '--clear']);
    await lab.waitUntilSql(old, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
    await expectConsistent(lab, next, acknowledgedInCrash);
  });

  it("broken replication (the source refuses the password) is reported by the replica's monitor, and the replica loses its promotion score", async () => {
    const replica = replicaOf(primary);
    await sqlOn(lab, primary, "ALTER USER 'repl'@'%' IDENTIFIED BY 'changed-elsewhere'");
    try {
      await sqlOn(lab, replica, 'STOP SLAVE IO_THREAD; START SLAVE IO_THREAD');
      const s = await lab.waitUntil('a monitor failure on the replica', 60_000, (s) =>
        s.failures.some((f) => f.node === replica && f.task === 'monitor' && /replication IO error 1045/.test(f.reason)),
      );
      expect(promotedDb(s)).toEqual([primary]);
      const score = await lab.exec(primary, [
        'crm_attribute',
        '--node',
        replica,
        '--name',
        'master-db',
        '--lifetime',
        'reboot',
        '--query',
        '--quiet',
      ]);
      expect(score.stdout.trim()).not.toMatch(/^[1-9]/);
    } finally {
      await sqlOn(lab, primary, `ALTER USER 'repl'@'%' IDENTIFIED BY '${REPLICATION_PASSWORD}'`);
      await lab.mustExec(primary, ['crm_resource', '--cleanup', '--resource', 'ms_db']);
    }
    await lab.waitUntil('the replica back', 90_000, (s) => unpromotedDb(s)[0] === replica && s.failures.length === 0);
    await lab.waitUntilSql(replica, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
    await expectConsistent(lab, primary, acknowledgedInCrash);
  });

  it('a replica whose primary purged the binary logs it still needs reports the error, and is not promotable', async () => {
    const replica = replicaOf(primary);
    await lab.waitUntilSql(replica, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes/, 60_000);
    await sqlOn(lab, replica, 'STOP SLAVE IO_THREAD');
    await sqlOn(
      lab,
      primary,
      'INSERT INTO demo.rows (id) VALUES (700000001); FLUSH BINARY LOGS; INSERT INTO demo.rows (id) VALUES (700000002); FLUSH BINARY LOGS',
    );
    const [current] = (await sqlOn(lab, primary, 'SHOW MASTER STATUS')).split('\t');
    await sqlOn(lab, primary, `PURGE BINARY LOGS TO '${current}'`);
    await sqlOn(lab, replica, 'START SLAVE IO_THREAD');
    const s = await lab.waitUntil('a monitor failure on the replica for the purged binlog', 60_000, (s) =>
      s.failures.some((f) => f.node === replica && f.task === 'monitor' && /replication IO error 1236/.test(f.reason)),
    );
    expect(promotedDb(s)).toEqual([primary]);
    // The replica that cannot catch up is held out, never counted as a copy.
    await expectConsistent(lab, primary, acknowledgedInCrash, { heldOut: 1 });
  });
});

describe('ocf:tsha:mysql promotable clone with asynchronous replication (semi_sync=false), 2 nodes', () => {
  // With semi-sync, a crashed primary restarts with init-rpl-role=SLAVE and drops what no replica
  // acknowledged; asynchronous replication is where an old primary can come back with errant writes.
  const lab = new Lab({ nodes: 2, stonith: true });
  diagnoseFailures(lab);

  beforeAll(async () => {
    await lab.up();
    await prepareReplicas(lab);
    for (const command of setMasterAddresses(lab)) await lab.mustExec(lab.names[0]!, command);
    await lab.loadCrm(masterSlaveCrm(lab, 'master-slave', false));
  });
  afterAll(() => lab.release());

  it('an old primary that returns with transactions no one else has is reported, not replicated over', async () => {
    const s0 = await lab.waitUntil(
      'one Promoted and one Unpromoted',
      90_000,
      (s) => promotedDb(s).length === 1 && unpromotedDb(s).length === 1,
    );
    const old = promotedDb(s0)[0]!;
    const replica = lab.names.find((n) => n !== old)!;
    await lab.waitUntilSql(replica, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
    // The replica stops receiving; the primary then commits rows that only it has.
    await sqlOn(lab, replica, 'STOP SLAVE IO_THREAD');
    await sqlOn(lab, old, 'INSERT INTO demo.rows (id) VALUES (900000001), (900000002)');
    await lab.crash(old);
    await lab.waitUntil('the replica promoted', 90_000, (s) => promotedDb(s)[0] === replica, replica);
    await lab.start(old);
    const s = await lab.waitUntil(
      'the returning node reported for errant transactions',
      90_000,
      (s) => s.failures.some((f) => f.node === old && /errant transactions/.test(f.reason)),
      replica,
    );
    const reason = s.failures.find((f) => f.node === old && /errant transactions/.test(f.reason))!.reason;
    expect(reason).toMatch(/exist only here, not on primary/);
    // A hard error: Pacemaker stops the instance and leaves it stopped there, no restart loop.
    const stopped = await lab.waitUntil(
      'the held-out instance stopped',
      60_000,
      (s) => !s.resources.some((r) => r.id.startsWith('db') && r.nodes.includes(old) && r.role !== 'Stopped'),
      replica,
    );
    expect(stopped.failures.find((f) => f.node === old && /errant/.test(f.reason))?.rc).toMatch(/^(5|not installed)$/);
    // Nothing was replicated over them, and the new primary never got them.
    expect(await sqlOnStoppedInstance(lab, old, 'SELECT COUNT(*) FROM demo.rows WHERE id > 900000000')).toBe('2');
    expect(await sqlOn(lab, replica, 'SELECT COUNT(*) FROM demo.rows WHERE id > 900000000')).toBe('0');
    expect(promotedDb(s)).toEqual([replica]);
    await expectConsistent(lab, replica, [], { heldOut: 1 });
  });
});

describe('ocf:tsha:mysql promotable clone, 3 nodes, OCF 1.1 spelling (clone promotable=true, Promoted): the most advanced replica wins', () => {
  const lab = new Lab({ nodes: 3, stonith: true });
  diagnoseFailures(lab);
  const settled = () =>
    lab.waitUntil(
      'one Promoted instance with the VIP and two Unpromoted',
      120_000,
      (s) => promotedDb(s).length === 1 && unpromotedDb(s).length === 2 && runningOn(s, 'vip')[0] === promotedDb(s)[0],
    );

  beforeAll(async () => {
    await lab.up();
    await prepareReplicas(lab);
    for (const command of setMasterAddresses(lab)) await lab.mustExec(lab.names[0]!, command);
    await lab.loadCrm(masterSlaveCrm(lab, 'promoted'));
  });
  afterAll(() => lab.release());

  it('with one replica stopped behind, a crash of the primary promotes the replica that has everything, never the lagging one', async () => {
    const s = await settled();
    const primary = promotedDb(s)[0]!;
    const [current, lagging] = unpromotedDb(s) as [string, string];
    for (const r of [current, lagging])
      await lab.waitUntilSql(r, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
    await sqlOn(lab, lagging, 'STOP SLAVE IO_THREAD');
    // Let the lagging replica's monitor publish its lower score, then write what it will miss.
    await sleep(8000);
    const writer = startClient(lab, 'write', 4, 5_000_000);
    await writer.done;
    const acked = acknowledged(writer);
    expect(acked.length).toBeGreaterThan(0);
    await lab.crash(primary);
    const after = await lab.waitUntil(
      'a survivor promoted with the VIP',
      90_000,
      (s) => promotedDb(s).length === 1 && promotedDb(s)[0] !== primary && runningOn(s, 'vip')[0] === promotedDb(s)[0],
      current,
    );
    expect(promotedDb(after)).toEqual([current]);
    const last = Math.max(...acked);
    expect(await sqlOn(lab, current, `SELECT COUNT(*) FROM demo.rows WHERE id BETWEEN 5000000 AND ${last}`)).toBe(String(acked.length));
    // The lagging replica re-points at the new primary and catches up.
    await lab.waitUntilSql(
      lagging,
      `SELECT COUNT(*) AS n FROM demo.rows WHERE id BETWEEN 5000000 AND ${last}`,
      new RegExp(`\\b${acked.length}\\b`),
      60_000,
    );
    const status = await lab.waitUntilSql(lagging, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes/, 60_000);
    expect(status).toContain(`Master_Host: ${lab.address(current)}`);
    await expectConsistent(lab, current, acked);
  });

  it('a switchover by putting the primary in standby promotes another replica and loses no row', async () => {
    const s = await lab.waitUntil(
      'one Promoted instance with the VIP',
      90_000,
      (s) => promotedDb(s).length === 1 && runningOn(s, 'vip')[0] === promotedDb(s)[0],
    );
    const old = promotedDb(s)[0]!;
    const rows = await sqlOn(lab, old, 'SELECT COUNT(*) FROM demo.rows');
    await lab.standby(old, true);
    const after = await lab.waitUntil(
      'another node promoted with the VIP',
      90_000,
      (s) => promotedDb(s).length === 1 && promotedDb(s)[0] !== old && runningOn(s, 'vip')[0] === promotedDb(s)[0],
    );
    expect(await sqlOn(lab, promotedDb(after)[0]!, 'SELECT COUNT(*) FROM demo.rows')).toBe(rows);
    await lab.standby(old, false);
    await lab.waitUntil('the node out of standby replicating again', 90_000, (s) => unpromotedDb(s).includes(old));
    await lab.waitUntilSql(old, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
    await expectConsistent(lab, promotedDb(after)[0]!);
  });

  it('a switchover by crm resource move to a named replica, under writes, loses no acknowledged write and re-points both other instances', async () => {
    // The node crashed by the first test comes back as a third replica.
    for (const n of lab.names) if (!lab.liveNodes().includes(n)) await lab.start(n);
    const s = await settled();
    const old = promotedDb(s)[0]!;
    const [target, third] = unpromotedDb(s) as [string, string];
    for (const r of [target, third])
      await lab.waitUntilSql(r, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
    const writer = startClient(lab, 'write', 8, 7_000_000);
    await sleep(2000);
    await lab.mustExec(old, ['crm_resource', '--resource', 'ms_db', '--move', '--promoted', '--node', target]);
    await lab.waitUntil(
      'the named replica promoted with the VIP',
      90_000,
      (s) => promotedDb(s)[0] === target && runningOn(s, 'vip')[0] === target && unpromotedDb(s).length === 2,
    );
    await writer.done;
    const acked = acknowledged(writer);
    expect(acked.length).toBeGreaterThan(0);
    const last = Math.max(...acked);
    // Every acknowledged row is on the new primary (a row the client never saw acknowledged may be too).
    expect(Number(await sqlOn(lab, target, `SELECT COUNT(*) FROM demo.rows WHERE id BETWEEN 7000000 AND ${last}`))).toBeGreaterThanOrEqual(
      acked.length,
    );
    for (const r of [old, third]) {
      const status = await lab.waitUntilSql(r, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
      expect(status).toContain(`Master_Host: ${lab.address(target)}`);
    }
    await lab.mustExec(target, ['crm_resource', '--resource', 'ms_db', '--clear']);
    await expectConsistent(lab, target, acked);
  });

  it('when Pacemaker picks a replica that lacks transactions another has, it catches up from that one and is promoted with every acknowledged write', async () => {
    const s = await settled();
    const primary = promotedDb(s)[0]!;
    const [current, behind] = unpromotedDb(s) as [string, string];
    for (const r of [current, behind]) {
      await lab.waitUntilSql(r, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
    }
    // `behind` stops receiving, then misses what the client writes; its own monitor then scores it low.
    await sqlOn(lab, behind, 'STOP SLAVE IO_THREAD');
    const writer = startClient(lab, 'write', 4, 9_000_000);
    await writer.done;
    const acked = acknowledged(writer);
    expect(acked.length).toBeGreaterThan(0);
    await sleep(7000);
    // Equal or wrong scores are what makes Pacemaker pick a replica that is behind: forced here.
    await lab.mustExec(primary, ['crm_attribute', '--node', behind, '--name', 'master-db', '--lifetime', 'reboot', '--update', '900']);
    const count = async (text: string) =>
      Number((await lab.exec(behind, ['grep', '-c', text, '/var/log/pacemaker/pacemaker.log'])).stdout.trim() || 0);
    const refusedBefore = await count('refusing to promote');
    await lab.crash(primary);
    const after = await lab.waitUntil(
      'a survivor promoted with the VIP',
      90_000,
      (s) => promotedDb(s).length === 1 && promotedDb(s)[0] !== primary && runningOn(s, 'vip')[0] === promotedDb(s)[0],
      current,
    );
    expect(promotedDb(after)).toEqual([behind]);
    // It did not refuse and fail its promotion: it caught up from the replica ahead first.
    expect(await count('refusing to promote')).toBe(refusedBefore);
    expect(await count(`replicating it from ${current} first`)).toBeGreaterThan(0);
    await lab.waitUntilSql(
      current,
      'SHOW SLAVE STATUS\\G',
      new RegExp(`Master_Host: ${lab.address(behind).replaceAll('.', '\\.')}`),
      60_000,
    );
    await expectConsistent(lab, behind, acked);
  });
});
