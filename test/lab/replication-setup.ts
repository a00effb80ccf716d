/**
 * MariaDB replication in the lab: one datadir per node (/srv/node/mysql), identical at the start,
 * binary logs with GTIDs, a replication account, and the seed's master/slave configuration on tsha.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { databaseCrm } from './control-plane-crm.ts';
import { runningOn, type ClusterStatus, type Lab } from './lab.ts';
import { fenceCrm, MARIADBD, mysqlConfig, prepareSharedMysql } from './mysql-setup.ts';

export const REPLICATION_PASSWORD = 'repl-secret';

export function replicaConfig(serverId: number): string {
  return mysqlConfig([
    `server_id = ${serverId}`,
    'log_bin = mysql-bin',
    'relay_log = relay-bin',
    'log_slave_updates = ON',
    'binlog_format = ROW',
    'gtid_strict_mode = ON',
    'sync_binlog = 1',
    'innodb_flush_log_at_trx_commit = 1',
    'rpl_semi_sync_master_wait_point = AFTER_SYNC',
    'rpl_semi_sync_master_timeout = 10000',
  ]);
}

/** Initialises one datadir (schema, accounts) on the shared disk, then copies it to every node. */
export async function prepareReplicas(lab: Lab, extraSql: readonly string[] = []): Promise<void> {
  await prepareSharedMysql(lab, [
    `CREATE USER 'repl'@'%' IDENTIFIED BY '${REPLICATION_PASSWORD}'`,
    "GRANT ALL PRIVILEGES ON *.* TO 'repl'@'%' WITH GRANT OPTION",
    `CREATE USER 'repl'@'localhost' IDENTIFIED BY '${REPLICATION_PASSWORD}'`,
    "GRANT ALL PRIVILEGES ON *.* TO 'repl'@'localhost' WITH GRANT OPTION",
    ...extraSql,
  ]);
  const source = join(lab.sharedDir, 'mysql');
  for (const [i, node] of lab.names.entries()) {
    const target = join(lab.nodeDir(node), 'srv-node', 'mysql');
    rmSync(target, { recursive: true, force: true });
    execFileSync('cp', ['-a', source, target]);
    writeFileSync(join(lab.nodeDir(node), 'srv-node', 'my.cnf'), replicaConfig(i + 1));
  }
  rmSync(source, { recursive: true, force: true });
}

export const REPLICA_PARAMS =
  `binary=${MARIADBD} config=/srv/node/my.cnf datadir=/srv/node/mysql ` +
  'socket=/run/mysqld/mysqld.sock pid=/run/mysqld/mysqld.pid log=/srv/node/mysql-error.log user=mysql group=mysql ' +
  `replication_user=repl replication_passwd=${REPLICATION_PASSWORD}`;

/**
 * The seed's configuration with the provider changed: ms resource, VIP with the master, promote before
 * the VIP. `spelling` picks the Pacemaker 1.x words (ms, Master/Slave, as the seed has them) or the
 * OCF 1.1 ones (clone promotable=true, Promoted/Unpromoted); the agent works with both.
 */
/** The node(s) where masterSlaveCrm's `db` runs promoted, in either spelling of the role. */
export const promotedDb = (s: ClusterStatus): string[] => [...runningOn(s, 'db', 'Promoted'), ...runningOn(s, 'db', 'Master')];
/** The node(s) where it runs unpromoted. */
export const unpromotedDb = (s: ClusterStatus): string[] => [...runningOn(s, 'db', 'Unpromoted'), ...runningOn(s, 'db', 'Slave')];

export function masterSlaveCrm(
  lab: Lab,
  spelling: 'master-slave' | 'promoted' = 'master-slave',
  semiSync = true,
  resetClients = false,
): string {
  return databaseCrm(
    {
      fence: lab.stonith ? fenceCrm(lab) : '',
      database: `${REPLICA_PARAMS} semi_sync=${semiSync}`,
      nodes: lab.names.length,
      vips: { db: lab.vip },
      nic: 'eth0',
      cidrNetmask: 24,
    },
    spelling,
    resetClients,
  );
}

export function setMasterAddresses(lab: Lab): string[][] {
  return lab.names.map((n) => [
    'crm_attribute',
    '--node',
    n,
    '--name',
    'db_mysql_master_IP',
    '--update',
    lab.address(n),
    '--lifetime',
    'forever',
  ]);
}

/**
 * The operator's way out for an instance held out for errant transactions (README, "an instance held
 * out"): take it out of the cluster, replace its data with a consistent copy of the primary's (here the
 * lab's `demo` database, by mariadb-dump at a known GTID position), drop its own binary log and the
 * marker the exit reason names, and let Pacemaker start it again: it attaches at the copy's position.
 * Returns the ids the instance held before, so a test can say where rows the primary lacks went.
 */
/** Starts the node's server by hand, outside Pacemaker (its instance is stopped there): a shell prologue. */
const HAND_STARTED_SERVER = [
  'set -eu',
  'sock=/run/mysqld/mysqld.sock',
  'install -d -o mysql -g mysql /run/mysqld',
  `${MARIADBD} --defaults-file=/srv/node/my.cnf --datadir=/srv/node/mysql --socket=$sock --pid-file=/run/mysqld/by-hand.pid ` +
    '--log-error=/srv/node/mysql-error.log --user=mysql --skip-slave-start --read-only >/dev/null 2>&1 &',
  'for _ in $(seq 1 300); do [ -S $sock ] && break; sleep 0.1; done',
];

/** One statement on the data of a node whose instance Pacemaker stopped (a held-out one), then stops it again. */
export async function sqlOnStoppedInstance(lab: Lab, node: string, statement: string): Promise<string> {
  const script = [
    ...HAND_STARTED_SERVER,
    `mariadb --no-defaults -S $sock -uroot -N -B -e "${statement}"`,
    'mariadb-admin --no-defaults -S $sock -uroot shutdown',
  ];
  return (await lab.mustExec(node, ['bash', '-c', script.join('\n')], 120_000)).trim();
}

export async function recloneFromPrimary(lab: Lab, node: string, primary: string): Promise<Set<string>> {
  await lab.mustExec(primary, ['crm_resource', '--resource', 'ms_db', '--ban', '--node', node]);
  await lab.waitUntil(
    `no instance on ${node}`,
    120_000,
    (s) => !s.resources.some((r) => r.id.startsWith('db') && r.nodes.includes(node)),
    primary,
  );
  const script = [
    ...HAND_STARTED_SERVER,
    'mariadb --no-defaults -S $sock -uroot -N -B -e "SELECT id FROM demo.rows ORDER BY id" >/run/reclone-before.txt',
    // The password travels in MYSQL_PWD (the environment), never in argv.
    `mariadb-dump --no-defaults -h ${lab.address(primary)} -u repl --single-transaction --gtid --master-data=2 --databases demo >/run/reclone.sql`,
    'position=$(sed -n "s/^-- SET GLOBAL gtid_slave_pos=\'\\(.*\\)\';$/\\1/p" /run/reclone.sql)',
    // Nothing of the clean-up goes into the binary log: it would be a transaction of this server's own.
    'mariadb --no-defaults -S $sock -uroot -e "STOP SLAVE; RESET SLAVE ALL; SET SESSION sql_log_bin = 0; DROP DATABASE IF EXISTS demo; RESET MASTER"',
    'mariadb --no-defaults -S $sock -uroot --init-command="SET SESSION sql_log_bin = 0" </run/reclone.sql',
    'mariadb --no-defaults -S $sock -uroot -e "SET GLOBAL gtid_slave_pos = \'$position\'"',
    'mariadb-admin --no-defaults -S $sock -uroot shutdown',
    'rm -f /run/resource-agents/tsha-db.errant /run/reclone.sql',
  ].join('\n');
  await lab.mustExec(node, ['bash', '-c', script], 180_000, { MYSQL_PWD: REPLICATION_PASSWORD });
  const before = new Set((await lab.mustExec(node, ['cat', '/run/reclone-before.txt'])).split('\n').filter(Boolean));
  await lab.mustExec(primary, ['crm_resource', '--resource', 'ms_db', '--clear']);
  await lab.mustExec(primary, ['crm_resource', '--resource', 'ms_db', '--cleanup', '--node', node]);
  return before;
}
