/**
 * MariaDB replication in the lab: one datadir per node (/srv/node/mysql), identical at the start,
 * binary logs with GTIDs, a replication account, and the seed's master/slave configuration on tsha.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from './lab.ts';
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

export const REPLICA_PARAMS = `binary=${MARIADBD} config=/srv/node/my.cnf datadir=/srv/node/mysql ` +
  'socket=/run/mysqld/mysqld.sock pid=/run/mysqld/mysqld.pid log=/srv/node/mysql-error.log user=mysql group=mysql ' +
  `replication_user=repl replication_passwd=${REPLICATION_PASSWORD}`;

/**
 * The seed's configuration with the provider changed: ms resource, VIP with the master, promote before
 * the VIP. `spelling` picks the Pacemaker 1.x words (ms, Master/Slave, as the seed has them) or the
 * OCF 1.1 ones (clone promotable=true, Promoted/Unpromoted); the agent works with both.
 */
export function masterSlaveCrm(lab: Lab, spelling: 'master-slave' | 'promoted' = 'master-slave', semiSync = true): string {
  const [promotedRole, unpromotedRole] = spelling === 'master-slave' ? ['Master', 'Slave'] : ['Promoted', 'Unpromoted'];
  return [
    lab.stonith ? fenceCrm(lab) : '',
    `primitive db ocf:tsha:mysql params ${REPLICA_PARAMS} semi_sync=${semiSync} ` +
      'op start timeout=60s op stop timeout=60s op promote timeout=60s op demote timeout=60s op notify timeout=60s ' +
      `op monitor interval=5s role=${promotedRole} timeout=20s OCF_CHECK_LEVEL=10 op monitor interval=6s role=${unpromotedRole} timeout=20s OCF_CHECK_LEVEL=10`,
    spelling === 'master-slave'
      ? `ms ms_db db meta master-max=1 clone-max=${lab.names.length} notify=true`
      : `clone ms_db db meta promotable=true promoted-max=1 clone-max=${lab.names.length} notify=true`,
    `primitive vip ocf:heartbeat:IPaddr2 params ip=${lab.vip} cidr_netmask=24 nic=eth0 op monitor interval=5s timeout=20s`,
    `colocation vip_on_master inf: vip ms_db:${promotedRole}`,
    'order promote_before_vip Mandatory: ms_db:promote vip:start',
    'rsc_defaults resource-stickiness=100',
    '',
  ].join('\n');
}

export function setMasterAddresses(lab: Lab): string[][] {
  return lab.names.map((n) => ['crm_attribute', '--node', n, '--name', 'db_mysql_master_IP', '--update', lab.address(n), '--lifetime', 'forever']);
}
