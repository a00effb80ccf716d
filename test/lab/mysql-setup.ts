/**
 * MariaDB for the lab: a datadir on the shared disk (the stand-in for a SAN volume), a config in each
 * node's /srv/node, an application account for clients of the VIP, and the crm configuration of the
 * seed's first step: ocf:tsha:mysql grouped with an IPaddr2 VIP.
 */
import { execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installSystemTables, MARIADBD } from '../support/mariadb.ts';
import { waitFor, type Lab } from './lab.ts';

// replication-setup.ts takes it from here.
export { MARIADBD };

const run = promisify(execFile);

/** The lab's server settings; `extra` lines go into the same [mysqld] group. */
export function mysqlConfig(extra: readonly string[] = []): string {
  return [
    '[mysqld]',
    ...extra,
    'port = 3306',
    'bind-address = 0.0.0.0',
    'skip-name-resolve',
    'innodb_buffer_pool_size = 32M',
    'innodb_log_file_size = 16M',
    'performance_schema = OFF',
    'max_connections = 50',
    '',
  ].join('\n');
}

/** An account's uid and gid, from /etc/passwd. */
export function ids(name: string): { uid: number; gid: number } {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new Error(`account ${name} missing`);
}

/** Initialises the shared datadir and the demo schema, with a server run briefly on the host (no network). */
export async function prepareSharedMysql(lab: Lab, extraSql: readonly string[] = []): Promise<void> {
  const mysql = ids('mysql');
  const datadir = join(lab.sharedDir, 'mysql');
  mkdirSync(datadir, { recursive: true });
  chownSync(datadir, mysql.uid, mysql.gid);
  await installSystemTables(datadir, join(lab.dir, 'mysql-install-tmp'));
  // The set-up server runs as mysql: its socket, pid file and log go in a folder of its own.
  const setup = join(lab.dir, 'mysql-setup');
  mkdirSync(setup, { recursive: true });
  chownSync(setup, mysql.uid, mysql.gid);
  const sock = join(setup, 'mysqld.sock');
  const server = spawn(
    MARIADBD,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--socket=${sock}`,
      '--skip-networking',
      `--pid-file=${join(setup, 'mysqld.pid')}`,
      `--log-error=${join(setup, 'error.log')}`,
      '--innodb-buffer-pool-size=32M',
      '--innodb-log-file-size=16M',
    ],
    { uid: mysql.uid, gid: mysql.gid, stdio: 'ignore' },
  );
  try {
    await waitFor('the set-up server', 60_000, async () => {
      if (server.exitCode !== null)
        throw new Error(`set-up mariadbd exited: ${readFileSync(join(setup, 'error.log'), 'utf8').slice(-500)}`);
      return existsSync(sock) ? true : undefined;
    });
    await run(
      'mariadb',
      [
        '--no-defaults',
        `--socket=${sock}`,
        '-uroot',
        '-e',
        [
          'CREATE DATABASE demo',
          'CREATE TABLE demo.rows (id INT PRIMARY KEY, at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB',
          "CREATE USER 'app'@'%' IDENTIFIED BY 'app-secret'",
          "GRANT ALL ON demo.* TO 'app'@'%'",
          ...extraSql,
        ].join(';'),
      ],
      { timeout: 30_000 },
    );
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
  for (const node of lab.names) writeFileSync(join(lab.nodeDir(node), 'srv-node', 'my.cnf'), mysqlConfig());
}

export const MYSQL_PARAMS =
  'binary=' +
  MARIADBD +
  ' config=/srv/node/my.cnf datadir=/srv/shared/mysql ' +
  'socket=/run/mysqld/mysqld.sock pid=/run/mysqld/mysqld.pid log=/srv/node/mysql/error.log user=mysql group=mysql';

/** The fence device every lab runs with when stonith is on. */
export function fenceCrm(lab: Lab): string {
  return `primitive fence-lab stonith:fence_tshalab params pcmk_host_list="${lab.names.join(' ')}" op monitor interval=60s\n`;
}

/** The seed's first step on tsha: MySQL on the shared disk with a VIP, grouped (ordered and colocated). */
export function mysqlGroupCrm(lab: Lab, agent = 'ocf:tsha:mysql'): string {
  const db =
    agent === 'ocf:tsha:mysql'
      ? `primitive db ${agent} params ${MYSQL_PARAMS} op start timeout=60s op stop timeout=60s op monitor interval=5s timeout=20s op monitor interval=11s timeout=20s OCF_CHECK_LEVEL=10`
      : `primitive db ${agent} op monitor interval=5s timeout=20s`;
  return [
    lab.stonith ? fenceCrm(lab) : '',
    db,
    `primitive vip ocf:heartbeat:IPaddr2 params ip=${lab.vip} cidr_netmask=24 nic=eth0 op monitor interval=5s timeout=20s`,
    'group g_mysql db vip',
    'rsc_defaults resource-stickiness=100',
    '',
  ].join('\n');
}
