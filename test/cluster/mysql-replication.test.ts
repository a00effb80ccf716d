import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledged, recoverySeconds, startClient } from '../lab/client.ts';
import { Lab, runningOn, sleep, type ClusterStatus } from '../lab/lab.ts';
import { masterSlaveCrm, prepareReplicas, setMasterAddresses } from '../lab/replication-setup.ts';

const promoted = (s: ClusterStatus) => [...runningOn(s, 'db', 'Promoted'), ...runningOn(s, 'db', 'Master')];
const unpromoted = (s: ClusterStatus) => [...runningOn(s, 'db', 'Unpromoted'), ...runningOn(s, 'db', 'Slave')];

/** One SQL statement on a node's own server, through its socket (test inspection only). */
async function sqlOn(lab: Lab, node: string, statement: string): Promise<string> {
  return (await lab.mustExec(node, ['mariadb', '--no-defaults', '-S', '/run/mysqld/mysqld.sock', '-uroot', '-N', '-B', '-e', statement])).trim();
}

describe('ocf:tsha:mysql as a promotable clone (the seed\'s ms configuration, provider changed), 2 nodes, semi-sync, fencing', () => {
  const lab = new Lab({ nodes: 2, stonith: true });
  let primary: string;
  const replicaOf = (node: string) => lab.names.find((n) => n !== node)!;

  beforeAll(async () => {
    await lab.up();
    await prepareReplicas(lab);
    for (const command of setMasterAddresses(lab)) await lab.mustExec(lab.names[0]!, command);
    await lab.loadCrm(masterSlaveCrm(lab));
  });
  afterAll(() => lab.release());

  it('promotes one instance, puts the VIP with it, and the other replicates from it read-only', async () => {
    const s = await lab.waitUntil('one Promoted instance with the VIP and one Unpromoted', 90_000,
      (s) => promoted(s).length === 1 && unpromoted(s).length === 1 && runningOn(s, 'vip')[0] === promoted(s)[0]);
    primary = promoted(s)[0]!;
    const replica = replicaOf(primary);
    expect(await sqlOn(lab, primary, 'SELECT @@read_only')).toBe('0');
    expect(await sqlOn(lab, replica, 'SELECT @@read_only')).toBe('1');
    const status = await lab.waitUntilSql(replica, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/);
    expect(status).toContain(`Master_Host: ${lab.address(primary)}`);
  });

  it('a crash of the primary while a client writes through the VIP loses no acknowledged write; the VIP follows the new primary', async () => {
    const crashed = primary;
    const survivor = replicaOf(crashed);
    const writer = startClient(lab, 'write', 40, 1);
    await sleep(3000);
    const crashedAt = Date.now();
    await lab.crash(crashed);
    const s = await lab.waitUntil('the survivor promoted with the VIP', 90_000,
      (s) => promoted(s)[0] === survivor && runningOn(s, 'vip')[0] === survivor, survivor);
    await sleep(3000);
    writer.child.kill();
    await writer.done;
    primary = survivor;
    const acked = acknowledged(writer);
    // The writer's ids are 1, 2, 3, … and it moves on only after an acknowledgement: every id up to the
    // last acknowledged one must be on the new primary.
    const last = Math.max(0, ...acked);
    const found = Number(await sqlOn(lab, survivor, `SELECT COUNT(*) FROM demo.rows WHERE id BETWEEN 1 AND ${last}`));
    console.log(`[lab] tsha:mysql promotable failover (2 nodes, semi-sync): crash to first write through the VIP ${recoverySeconds(writer, crashedAt)?.toFixed(2)} s; rows acknowledged ${acked.length}, of them found on the new primary ${found}`);
    expect(promoted(s)).toEqual([survivor]);
    expect(acked.length).toBeGreaterThan(0);
    expect(found).toBe(last);
    expect(await sqlOn(lab, survivor, 'SELECT @@read_only')).toBe('0');
  });

  it('the crashed node rejoins as a replica of the new primary', async () => {
    const returning = replicaOf(primary);
    await lab.start(returning);
    await lab.waitUntil('the returning node Unpromoted', 90_000, (s) => unpromoted(s)[0] === returning && promoted(s)[0] === primary);
    const status = await lab.waitUntilSql(returning, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/);
    expect(status).toContain(`Master_Host: ${lab.address(primary)}`);
    expect(await sqlOn(lab, returning, 'SELECT @@read_only')).toBe('1');
  });

  it('a switchover (crm resource move of the promoted role) loses no write and leaves the old primary replicating', async () => {
    const old = primary;
    const next = replicaOf(old);
    const rows = Number(await sqlOn(lab, old, 'SELECT COUNT(*) FROM demo.rows'));
    await lab.mustExec(old, ['crm_resource', '--resource', 'ms_db', '--move', '--promoted', '--node', next]).catch(async () =>
      lab.mustExec(old, ['crm_resource', '--resource', 'ms_db', '--move', '--master', '--node', next]));
    await lab.waitUntil('the other node promoted with the VIP', 90_000, (s) => promoted(s)[0] === next && runningOn(s, 'vip')[0] === next && unpromoted(s)[0] === old);
    primary = next;
    expect(Number(await sqlOn(lab, next, 'SELECT COUNT(*) FROM demo.rows'))).toBe(rows);
    const status = await lab.waitUntilSql(old, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/);
    expect(status).toContain(`Master_Host: ${lab.address(next)}`);
    await lab.mustExec(next, ['crm_resource', '--resource', 'ms_db', '--clear']);
  });
});
