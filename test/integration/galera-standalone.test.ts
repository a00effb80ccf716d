import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCF } from '../../shared/ocf/exit-codes.ts';
import { freePort, instanceLayout, sql, type InstanceLayout } from '../support/mariadb.ts';
import { INSTALLED } from '../support/paths.ts';
import { pacemakerEnv } from '../support/pacemaker-env.ts';
import { runAgent } from '../support/run-agent.ts';
import { ocfTester } from '../support/ocf-tester.ts';

// One Galera member on this machine, outside any cluster (as ocf-tester and a person at a shell run it):
// it bootstraps a one-member primary component. The multi-node behaviour is test/cluster/galera.test.ts.
const agent = join(INSTALLED, 'galera');

describe('the installed ocf:tsha:galera, one member outside a cluster', () => {
  let layout: InstanceLayout;
  let params: Record<string, string>;
  let stateDir: string;

  /** `extra`: parameters and CRM_meta_* (as OCF_RESKEY_*); `vars`: other environment variables. */
  const act = (action: string, extra: Record<string, string> = {}, vars: Record<string, string> = {}) =>
    runAgent(
      'galera',
      action,
      pacemakerEnv(
        { CRM_meta_timeout: '120000', ...params, ...extra },
        { OCF_RESOURCE_INSTANCE: 'galera', OCF_RESOURCE_TYPE: 'galera', HA_RSCTMP: stateDir, ...vars },
      ),
      agent,
    );

  beforeAll(async () => {
    if (!existsSync(agent)) throw new Error(`${agent} is not installed: run ./install.sh (test/run does)`);
    const [gcomm, ist] = [await freePort(), await freePort()];
    layout = await instanceLayout({
      extra: [
        'binlog_format = ROW',
        'innodb_autoinc_lock_mode = 2',
        'wsrep_on = ON',
        'wsrep_provider = /usr/lib/galera/libgalera_smm.so',
        'wsrep_cluster_name = tsha-test',
        'wsrep_node_address = 127.0.0.1',
        'wsrep_sst_method = rsync',
        `wsrep_provider_options = "gmcast.listen_addr=tcp://127.0.0.1:${gcomm};ist.recv_addr=127.0.0.1:${ist}"`,
      ],
    });
    stateDir = join(layout.dir, 'rsctmp');
    params = { ...layout.params, wsrep_cluster_address: `gcomm://127.0.0.1:${gcomm}`, cluster_host_map: `${hostname()}:127.0.0.1` };
  });
  afterAll(() => layout.remove());

  it('ocf-tester reports "passed all tests"', async () => {
    const { out } = await ocfTester(agent, 'tsha_galera', params, { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HA_RSCTMP: stateDir } });
    expect(out).toContain('passed all tests');
  });

  it('start leaves the server stopped and reports the position; monitor says Unpromoted (0)', async () => {
    expect((await act('start')).exitCode).toBe(OCF.SUCCESS);
    expect(existsSync(layout.pid)).toBe(false);
    expect((await act('monitor', { CRM_meta_interval: '3000' })).exitCode).toBe(OCF.SUCCESS);
  });

  it('promote bootstraps a one-member primary component; monitor says Promoted (8)', async () => {
    expect((await act('promote')).exitCode).toBe(OCF.SUCCESS);
    expect(await sql(layout.socket, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_status'")).toMatch(/Primary/);
    expect((await act('monitor', { CRM_meta_interval: '10000', CRM_meta_role: 'Promoted' })).exitCode).toBe(OCF.RUNNING_PROMOTED);
  });

  it('after a crash of the server, start recovers the last committed seqno from InnoDB (--wsrep-recover), and promote starts the server there: the history goes on', async () => {
    await sql(
      layout.socket,
      'CREATE DATABASE IF NOT EXISTS t; CREATE TABLE IF NOT EXISTS t.r (id INT PRIMARY KEY); INSERT INTO t.r VALUES (1), (2)',
    );
    const committed = (await sql(layout.socket, "SHOW GLOBAL STATUS LIKE 'wsrep_last_committed'")).split('\t')[1];
    const history = (await sql(layout.socket, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_state_uuid'")).split('\t')[1];
    process.kill(Number(readFileSync(layout.pid, 'utf8')), 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    // A Promoted member whose server vanished is a failure, never "not running".
    expect((await act('monitor', { CRM_meta_interval: '10000', CRM_meta_role: 'Promoted' })).exitCode).toBe(OCF.ERR_GENERIC);
    expect((await act('stop')).exitCode).toBe(OCF.SUCCESS);
    expect(readFileSync(join(layout.datadir, 'grastate.dat'), 'utf8')).toMatch(/seqno:\s+-1/);
    const r = await act('start');
    expect(r.exitCode).toBe(OCF.SUCCESS);
    expect(r.stderr).toContain(`:${committed} from InnoDB`);
    expect(readFileSync(join(stateDir, 'tsha-galera.started'), 'utf8')).toContain(`:${committed} `);
    const promoted = await act('promote');
    expect(promoted.exitCode).toBe(OCF.SUCCESS);
    expect(promoted.stderr).toContain(`starting at ${history}:${committed} (grastate.dat has seqno -1)`);
    expect(await sql(layout.socket, 'SELECT COUNT(*) FROM t.r')).toBe('2');
    // Without --wsrep-start-position the bootstrap would begin a new history at seqno 1 (every other
    // member would then need a full state transfer).
    expect((await sql(layout.socket, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_state_uuid'")).split('\t')[1]).toBe(history);
    expect(Number((await sql(layout.socket, "SHOW GLOBAL STATUS LIKE 'wsrep_last_committed'")).split('\t')[1])).toBeGreaterThanOrEqual(
      Number(committed),
    );
  });

  it('demote stops the server cleanly (grastate.dat keeps the seqno) and stop on a stopped member returns SUCCESS', async () => {
    expect((await act('demote')).exitCode).toBe(OCF.SUCCESS);
    expect(readFileSync(join(layout.datadir, 'grastate.dat'), 'utf8')).not.toMatch(/seqno:\s+-1/);
    expect((await act('stop')).exitCode).toBe(OCF.SUCCESS);
    expect((await act('stop')).exitCode).toBe(OCF.SUCCESS);
    expect((await act('monitor')).exitCode).toBe(OCF.NOT_RUNNING);
  });

  it.each([
    [
      'a cluster address that is not gcomm://',
      { wsrep_cluster_address: 'mysql://x' },
      OCF.ERR_CONFIGURED,
      /parameter wsrep_cluster_address expects gcomm:\/\//,
    ],
    ['a malformed cluster_host_map', { cluster_host_map: 'n1' }, OCF.ERR_CONFIGURED, /parameter cluster_host_map expects node:host pairs/],
    ['a bootstrap_wait that is no duration', { bootstrap_wait: 'soon' }, OCF.ERR_CONFIGURED, /bootstrap_wait/],
    ['a missing binary', { binary: '/nonexistent/mariadbd' }, OCF.ERR_INSTALLED, /binary \/nonexistent\/mariadbd/],
  ] as const)('validate-all with %s returns the OCF code and names the parameter', async (_what, bad, code, reason) => {
    const r = await act('validate-all', bad);
    expect(r.exitCode).toBe(code);
    expect(r.stderr).toMatch(reason);
  });

  it('a check_passwd never reaches a log line or an exit reason', async () => {
    await act('start');
    await act('promote');
    const r = await act('monitor', { check_user: 'nobody_here', check_passwd: 'galera-secret-xyz' }, { HA_debug: '1' });
    expect(r.exitCode).toBe(OCF.ERR_GENERIC);
    expect(r.exitReason).toContain('check_user nobody_here was denied access');
    expect(`${r.stdout}${r.stderr}`).not.toContain('galera-secret-xyz');
  });
});
