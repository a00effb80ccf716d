// The seed's master/slave MySQL in a live 2-node lab cluster (real CIB and attrd, so every attribute the
// agents write is a real round trip), for the benches that time the promotable clone's monitors:
// bench/replica-monitor.ts and bench/control-plane-cost.ts.
import { mariadbArgv } from '../test/lab/consistency.ts';
import { Lab, runningOn } from '../test/lab/lab.ts';
import { masterSlaveCrm, prepareReplicas, REPLICA_PARAMS, setMasterAddresses } from '../test/lab/replication-setup.ts';

export interface MsLab {
  readonly lab: Lab;
  readonly primary: string;
  readonly replica: string;
  /** The command prefix that runs a command inside `node`'s namespaces. */
  prefix(node: string): string[];
  /**
   * A recurring monitor's environment on `node`, as Pacemaker gives it to the clone. heartbeat/mysql writes
   * a promotion score on every monitor: it runs under another instance name, so that its writes cost what
   * they cost without moving the real primary.
   */
  env(node: string, provider: 'tsha' | 'heartbeat', extra?: Record<string, string>): Record<string, string>;
  release(): Promise<void>;
}

function params(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(' ')
      .filter(Boolean)
      .map((kv) => [`OCF_RESKEY_${kv.split('=')[0]}`, kv.slice(kv.indexOf('=') + 1)]),
  );
}

/** Brings up the lab with the ms configuration and waits for a promoted and a replicating instance. */
export async function startMsLab(prefix: string, extraSql: readonly string[] = []): Promise<MsLab> {
  const lab = new Lab({ nodes: 2, stonith: true, prefix });
  try {
    await lab.up();
    await prepareReplicas(lab);
    for (const command of setMasterAddresses(lab)) await lab.mustExec(lab.names[0]!, command);
    await lab.loadCrm(masterSlaveCrm(lab));
    const s = await lab.waitUntil(
      'a promoted and a replicating instance',
      120_000,
      (s) => runningOn(s, 'db', 'Promoted').length === 1 && runningOn(s, 'db', 'Unpromoted').length === 1,
    );
    const replica = runningOn(s, 'db', 'Unpromoted')[0]!;
    const primary = runningOn(s, 'db', 'Promoted')[0]!;
    await lab.waitUntilSql(replica, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
    for (const statement of extraSql) await lab.mustExec(primary, mariadbArgv(statement));
    return {
      lab,
      primary,
      replica,
      prefix: (node) => lab.inNode(node, [])!,
      env: (node, provider, extra = {}) => ({
        PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
        OCF_ROOT: '/usr/lib/ocf',
        OCF_RA_VERSION_MAJOR: '1',
        OCF_RA_VERSION_MINOR: '1',
        OCF_RESOURCE_TYPE: 'mysql',
        OCF_RESKEY_CRM_meta_interval: '6000',
        OCF_RESKEY_CRM_meta_timeout: '20000',
        OCF_RESKEY_CRM_meta_promotable: 'true',
        OCF_RESKEY_CRM_meta_notify: 'true',
        OCF_RESKEY_CRM_meta_clone_max: '2',
        OCF_RESKEY_CRM_meta_promoted_max: '1',
        OCF_RESKEY_CRM_meta_master_max: '1',
        OCF_RESKEY_CRM_meta_on_node: node,
        OCF_CHECK_LEVEL: '10',
        HA_LOGFACILITY: 'none',
        OCF_RESKEY_test_user: 'root',
        OCF_RESKEY_test_table: 'mysql.user',
        ...params(REPLICA_PARAMS),
        OCF_RESOURCE_PROVIDER: provider,
        OCF_RESOURCE_INSTANCE: provider === 'tsha' ? 'db' : 'hb_bench',
        ...extra,
      }),
      release: () => lab.release(),
    };
  } catch (error) {
    await lab.release();
    throw error;
  }
}
