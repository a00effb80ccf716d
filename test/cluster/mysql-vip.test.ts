import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledged, crashUnderClient, recoverySeconds, rowsThroughVip } from '../lab/client.ts';
import { checkConsistency, lostWrites } from '../lab/consistency.ts';
import { fenceHistory } from '../lab/fencing.ts';
import { Lab, runningOn, sleep, type ClusterStatus } from '../lab/lab.ts';
import { MYSQL_PARAMS, mysqlConfig, mysqlGroupCrm, prepareSharedMysql } from '../lab/mysql-setup.ts';
import { diagnoseFailures } from '../lab/diagnostics.ts';
import { pacemakerLogLines } from '../lab/timeline.ts';

const AGENT = '/usr/lib/ocf/resource.d/tsha/mysql';

function dbNode(s: ClusterStatus): string | undefined {
  const db = runningOn(s, 'db');
  const vip = runningOn(s, 'vip');
  return db.length === 1 && vip.length === 1 && db[0] === vip[0] ? db[0] : undefined;
}

describe('ocf:tsha:mysql + IPaddr2 group in a 2-node Pacemaker cluster (datadir on the shared disk, fencing on)', () => {
  const lab = new Lab({ nodes: 2, stonith: true });
  diagnoseFailures(lab);
  let active: string;
  const other = () => lab.names.find((n) => n !== active)!;
  const cleanup = async () => {
    await lab.mustExec(lab.liveNodes()[0]!, ['crm_resource', '--cleanup', '--resource', 'db']);
  };
  const settle = async () => {
    const s = await lab.waitUntil(
      'the group to run on one node',
      90_000,
      (s) => dbNode(s) !== undefined && s.online.length === lab.names.length,
    );
    active = dbNode(s)!;
    return s;
  };

  beforeAll(async () => {
    await lab.up();
    await prepareSharedMysql(lab);
    await lab.loadCrm(mysqlGroupCrm(lab));
    await settle();
  });
  afterAll(() => lab.release());

  it('Pacemaker probed the resource on every node before starting it', () => {
    for (const node of lab.names) {
      const log = pacemakerLogLines(lab, node).join('\n');
      expect(log).toMatch(new RegExp(`Result of probe operation for db on ${node}: (not running|ok)`));
    }
  });

  it('the recurring monitors at depth 0 and 10 run and pass', async () => {
    await sleep(12_000);
    const ops = await lab.mustExec(active, ['crm_resource', '--list-operations', '--resource', 'db']);
    expect(ops).toMatch(/db_monitor_5000 \(node=\w+, call=\d+, rc=0/);
    expect(ops).toMatch(/db_monitor_11000 \(node=\w+, call=\d+, rc=0/);
  });

  it('a monitor failure (mysqld killed) is recovered in place', async () => {
    const before = active;
    await lab.mustExec(before, ['pkill', '-KILL', '-x', 'mariadbd']);
    const s = await lab.waitUntil(
      'a recorded monitor failure and the group running again',
      60_000,
      (s) => s.failures.some((f) => f.id.startsWith('db_monitor')) && dbNode(s) !== undefined,
    );
    expect(dbNode(s)).toBe(before);
    const failure = s.failures.find((f) => f.id.startsWith('db_monitor'))!;
    expect(failure.rc).toBe('1');
    expect(failure.reason).toMatch(/gone without a clean shutdown/);
    await cleanup();
    await settle();
  });

  it('a start failure (broken config on the active node) moves the group away', async () => {
    const broken = active;
    const config = join(lab.nodeDir(broken), 'srv-node', 'my.cnf');
    writeFileSync(config, `${mysqlConfig()}no-such-option = 1\n`);
    try {
      await lab.mustExec(broken, ['pkill', '-KILL', '-x', 'mariadbd']);
      const s = await lab.waitUntil(
        'the group to run on the other node after a failed start',
        90_000,
        (s) => dbNode(s) === lab.names.find((n) => n !== broken) && s.failures.some((f) => f.task === 'start' && f.node === broken),
      );
      const failure = s.failures.find((f) => f.task === 'start' && f.node === broken)!;
      expect(failure.reason).toMatch(/exited during start/);
      expect(failure.reason).toMatch(/no-such-option/);
    } finally {
      writeFileSync(config, mysqlConfig());
    }
    await cleanup();
    await settle();
  });

  it('rows written through the VIP survive a crash of the active node; the group restarts on the other node', async () => {
    const crashed = active;
    const survivor = other();
    const { client: writer, crashedAt } = await crashUnderClient(lab, crashed, 'write', (s) => dbNode(s) === survivor, {
      firstId: 1_000_000,
      beforeMs: 3000,
      afterMs: 3000,
    });
    const acked = acknowledged(writer);
    const failover = recoverySeconds(writer, crashedAt);
    const found = await rowsThroughVip(lab, 1_000_000, 1_000_000 + acked.length + 1000);
    const mon = await lab.mustExec(survivor, ['crm_mon', '-1r']);
    console.log(
      `[lab] tsha:mysql failover (2 nodes, token ${lab.tokenMs} ms): crash to first write through the VIP ${failover?.toFixed(2)} s; rows written ${acked.length}, rows found ${found}`,
    );
    expect(mon).toMatch(new RegExp(`db\\s+\\(ocf:tsha:mysql\\):\\s+Started ${survivor}`));
    expect(mon).toMatch(new RegExp(`vip\\s+\\(ocf:heartbeat:IPaddr2\\):\\s+Started ${survivor}`));
    expect(failover).toBeDefined();
    expect(acked.length).toBeGreaterThan(0);
    // Every acknowledged id is there, checked id by id; rows the client never saw acknowledged may be there too.
    expect(found).toBeGreaterThanOrEqual(acked.length);
    expect(lostWrites(await checkConsistency(lab, survivor), acked)).toEqual([]);
    expect(fenceHistory(lab).some((f) => f.action === 'off' && f.target === crashed && f.result === 'ok')).toBe(true);
    await lab.start(crashed);
    await settle();
    // One datadir on the shared disk: after the crashed node is back, the one running server is all there is.
    const report = await checkConsistency(lab, dbNode(await lab.status())!);
    expect(lostWrites(report, acked)).toEqual([]);
    expect(report.instances.map((i) => i.kind)).toEqual(['not-running']);
  });

  it('a stop that hangs past its timeout gets the node fenced, and the group runs on the other node', async () => {
    const stuck = active;
    // Fault injection on that node only: its copy of the agent hangs in stop, as one would on dead
    // storage. The real agent stays reachable for every other action.
    const real = join(lab.dir, 'real-mysql-agent');
    copyFileSync(AGENT, real);
    const wrapper = join(lab.dir, 'hanging-stop-agent');
    writeFileSync(wrapper, `#!/bin/sh\n[ "$1" = stop ] && exec sleep 600\nexec ${real} "$@"\n`, { mode: 0o755 });
    await lab.mustExec(stuck, ['mount', '--bind', wrapper, AGENT]);
    const fencedBefore = fenceHistory(lab).length;
    // Stop's timeout made short so the test need not wait a minute; a failed stop escalates to fencing.
    await lab.loadCrm(
      `primitive db ocf:tsha:mysql params ${MYSQL_PARAMS} op start timeout=60s op stop timeout=8s op monitor interval=5s timeout=20s op monitor interval=11s timeout=20s OCF_CHECK_LEVEL=10\n`,
    );
    await lab.standby(stuck, true);
    const s = await lab.waitUntil(
      'the stuck node fenced and the group on the other node',
      90_000,
      (s) => dbNode(s) === lab.names.find((n) => n !== stuck) && lab.pid1(stuck) === undefined,
      lab.names.find((n) => n !== stuck),
    );
    expect(dbNode(s)).toBe(lab.names.find((n) => n !== stuck));
    expect(
      fenceHistory(lab)
        .slice(fencedBefore)
        .some((f) => f.action === 'off' && f.target === stuck && f.result === 'ok'),
    ).toBe(true);
    await lab.start(stuck);
    await lab.standby(stuck, false);
  });
});
