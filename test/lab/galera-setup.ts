/**
 * MariaDB Galera Cluster in the lab: one datadir per node holding only the system database (formation
 * from empty datadirs), Galera settings in each node's my.cnf, and the crm configuration operators
 * write for ocf:tsha:galera (or ocf:heartbeat:galera, for the comparison): a promotable clone with
 * every instance Promoted, and a single writer VIP.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installSystemTables, MARIADBD } from '../support/mariadb.ts';
import { checkConsistency, lostWrites, mariadbArgv, sqlOn, type ConsistencyReport } from './consistency.ts';
import { runningOn, waitFor, type ClusterStatus, type Lab } from './lab.ts';
import { fenceCrm, ids, mysqlConfig } from './mysql-setup.ts';

/**
 * Galera's failure detection, tuned for a LAN (the README's recommendation, measured in the lab):
 * keepalives every 0.5 s, a silent member suspected after 1.5 s and evicted after 3 s, instead of the
 * defaults' 5 s and 15 s that hold every commit for as long after a crash.
 */
export const GALERA_TIMEOUTS =
  'evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT1.5S;evs.inactive_timeout=PT3S;evs.inactive_check_period=PT0.5S;' +
  'evs.install_timeout=PT3S;evs.join_retrans_period=PT0.5S';

/**
 * `clusterAddress`: wsrep_cluster_address in my.cnf as well. ocf:tsha:galera passes it to every
 * mariadbd it runs; ocf:heartbeat:galera passes it at start only, and its `--wsrep-recover` run fails
 * without it ("rsync SST method requires wsrep_cluster_address to be configured on startup").
 */
export function galeraConfig(lab: Lab, node: string, o: { clusterAddress?: boolean } = {}): string {
  return mysqlConfig([
    ...(o.clusterAddress ? [`wsrep_cluster_address = ${galeraAddress(lab)}`] : []),
    'binlog_format = ROW',
    'default_storage_engine = InnoDB',
    'innodb_autoinc_lock_mode = 2',
    // A whole-cluster power loss keeps every acknowledged commit only if each commit is durable on disk.
    'innodb_flush_log_at_trx_commit = 1',
    'wsrep_on = ON',
    'wsrep_provider = /usr/lib/galera/libgalera_smm.so',
    'wsrep_cluster_name = tsha-lab',
    `wsrep_node_address = ${lab.address(node)}`,
    `wsrep_node_name = ${node}`,
    'wsrep_sst_method = rsync',
    `wsrep_provider_options = "${GALERA_TIMEOUTS};gcache.size=64M"`,
  ]);
}

export const galeraAddress = (lab: Lab) => `gcomm://${lab.names.map((n) => lab.address(n)).join(',')}`;
export const galeraHostMap = (lab: Lab) => lab.names.map((n) => `${n}:${lab.address(n)}`).join(';');

export const GALERA_PATHS =
  `binary=${MARIADBD} config=/srv/node/my.cnf datadir=/srv/node/mysql ` +
  'socket=/run/mysqld/mysqld.sock pid=/run/mysqld/mysqld.pid log=/srv/node/mysql-error.log user=mysql group=mysql';

/** Every node gets a datadir with the system database only (no Galera state) and its my.cnf. */
export async function prepareGaleraNodes(lab: Lab, o: { clusterAddress?: boolean } = {}): Promise<void> {
  const mysql = ids('mysql');
  const template = join(lab.dir, 'galera-template');
  rmSync(template, { recursive: true, force: true });
  mkdirSync(template, { recursive: true });
  chownSync(template, mysql.uid, mysql.gid);
  await installSystemTables(template, join(lab.dir, 'galera-install-tmp'));
  for (const node of lab.names) {
    const target = join(lab.nodeDir(node), 'srv-node', 'mysql');
    rmSync(target, { recursive: true, force: true });
    execFileSync('cp', ['-a', template, target]);
    writeFileSync(join(lab.nodeDir(node), 'srv-node', 'my.cnf'), galeraConfig(lab, node, o));
  }
  rmSync(template, { recursive: true, force: true });
}

/** The demo schema and the application account, created once on a running member (Galera replicates them). */
export async function createDemoSchema(lab: Lab, node: string): Promise<void> {
  const statement = mariadbArgv(
    [
      'CREATE DATABASE IF NOT EXISTS demo',
      'CREATE TABLE IF NOT EXISTS demo.rows (id INT PRIMARY KEY, at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB',
      "CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'app-secret'",
      "GRANT ALL ON demo.* TO 'app'@'%'",
    ].join(';'),
  );
  // As any client would: a member refuses statements (1047, not prepared) for a moment while the
  // configuration change of the last member's join goes through (seen once in a lab, 2026-12-07).
  await waitFor(
    `the demo schema created on ${node}`,
    20_000,
    async () => {
      const r = await lab.exec(node, statement);
      if (r.code === 0) return true;
      if (/ERROR 1047/.test(r.stderr + r.stdout)) return undefined;
      throw new Error(`on ${node}: creating the demo schema failed (${r.code}): ${r.stderr.trim()}`);
    },
    250,
  );
}

/**
 * The clone as operators write it: every instance Promoted (Galera is multi-primary), notify on, the
 * seed's ms spelling or pcs's promotable=true; a VIP on a Promoted member whose writer flag is 1.
 */
export function galeraCrm(
  lab: Lab,
  o: { agent?: 'tsha' | 'heartbeat'; spelling?: 'master-slave' | 'promoted'; extra?: string } = {},
): string {
  const agent = o.agent ?? 'tsha';
  const n = lab.names.length;
  const promoted = o.spelling === 'master-slave' ? 'Master' : 'Promoted';
  const unpromoted = o.spelling === 'master-slave' ? 'Slave' : 'Unpromoted';
  const params =
    `${GALERA_PATHS} wsrep_cluster_address=${galeraAddress(lab)} cluster_host_map="${galeraHostMap(lab)}"` +
    (agent === 'tsha' ? ` ${o.extra ?? ''}` : ' enable_creation=false');
  const ops =
    'op start timeout=120s op stop timeout=120s op promote timeout=300s op demote timeout=120s op notify timeout=60s ' +
    `op monitor interval=10s role=${promoted} timeout=30s op monitor interval=${agent === 'tsha' ? 3 : 30}s role=${unpromoted} timeout=30s`;
  const clone =
    o.spelling === 'master-slave'
      ? `ms galera-clone galera meta master-max=${n} clone-max=${n} notify=true target-role=Master is-managed=true`
      : `clone galera-clone galera meta promotable=true promoted-max=${n} clone-max=${n} notify=true`;
  // heartbeat/galera has no writer flag: its VIP follows any Promoted instance.
  const writer = agent === 'tsha' ? ['location vip_on_writer vip rule -inf: not_defined galera-writable or galera-writable ne 1'] : [];
  return [
    lab.stonith ? fenceCrm(lab) : '',
    `primitive galera ocf:${agent}:galera params ${params} ${ops}`,
    clone,
    `primitive vip ocf:heartbeat:IPaddr2 params ip=${lab.vip} cidr_netmask=24 nic=eth0 op monitor interval=5s timeout=20s`,
    `colocation vip_with_galera inf: vip galera-clone:${promoted}`,
    ...writer,
    'rsc_defaults resource-stickiness=100',
    '',
  ].join('\n');
}

/** Galera's own position of a running member: its last committed seqno (the consistency check compares these). */
export async function galeraPosition(lab: Lab, node: string): Promise<string | undefined> {
  const out = await sqlOn(lab, node, "SHOW GLOBAL STATUS LIKE 'wsrep_last_committed'", 10_000).catch(() => undefined);
  return out?.split('\t')[1];
}

/** Nodes running the galera instance Promoted (either spelling). */
export const galeraPromoted = (s: ClusterStatus) => [...runningOn(s, 'galera', 'Promoted'), ...runningOn(s, 'galera', 'Master')];

/** Every one of `nodes` Promoted (Synced) and the VIP on some member. */
export const galeraSettled = (nodes: readonly string[]) => (s: ClusterStatus) =>
  nodes.every((n) => galeraPromoted(s).includes(n)) && runningOn(s, 'vip')[0] !== undefined;

/**
 * The full-data check after a galera scenario: every member's rows against the VIP node's, at equal
 * positions, and every acknowledged id looked up there.
 */
export async function galeraCheck(lab: Lab, acked: readonly number[]): Promise<{ report: ConsistencyReport; lost: number[] }> {
  const s = await lab.waitUntil('every live member Synced before checking', 180_000, galeraSettled(lab.liveNodes()));
  const report = await checkConsistency(lab, runningOn(s, 'vip')[0]!, { resource: 'galera', position: galeraPosition });
  return { report, lost: lostWrites(report, acked) };
}
