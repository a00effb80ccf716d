import { boolean, integer, seconds, string, type ParameterValues } from '../ocf/parameters.ts';

/**
 * Every heartbeat/mysql parameter, with the same names and meanings, and Debian's paths as defaults so
 * that a resource with no parameters manages Debian's mariadb-server.
 */
export const mysqlParameters = {
  binary: string({
    shortdesc: 'MySQL server binary',
    longdesc:
      'Path to the server: mysqld or mariadbd (started directly, as user), or mysqld_safe (started as root; it switches to user itself). ' +
      'A bare name is looked up on the PATH Pacemaker gives agents.',
    default: '/usr/sbin/mysqld',
    executable: true,
  }),
  client_binary: string({
    shortdesc: 'MySQL client binary (unused)',
    longdesc: 'Accepted for compatibility with heartbeat/mysql. tsha speaks the MySQL protocol in-process and runs no client binary.',
    default: 'mysql',
    monitorOnly: true,
  }),
  config: string({
    shortdesc: 'MySQL config file',
    longdesc: 'Option file passed to the server as --defaults-file.',
    default: '/etc/mysql/my.cnf',
  }),
  datadir: string({
    shortdesc: 'MySQL data directory',
    longdesc: 'Directory holding the databases; passed as --datadir. It must be writable by user.',
    default: '/var/lib/mysql',
    unique: true,
  }),
  user: string({
    shortdesc: 'MySQL user',
    longdesc: 'System account the server runs as.',
    default: 'mysql',
  }),
  group: string({
    shortdesc: 'MySQL group',
    longdesc: 'System group owning the pid, socket and log files.',
    default: 'mysql',
  }),
  log: string({
    shortdesc: 'MySQL error log',
    longdesc: 'Error log file (--log-error). Its [ERROR] lines become the exit reason of a failed start.',
    default: '/var/log/mysql/error.log',
  }),
  pid: string({
    shortdesc: 'MySQL pid file',
    longdesc: 'Pid file the server writes (--pid-file). The pid in it is checked to be a MySQL server before it is trusted.',
    default: '/run/mysqld/mysqld.pid',
    unique: true,
  }),
  socket: string({
    shortdesc: 'MySQL socket',
    longdesc: 'Unix socket of the server (--socket); every check connects through it.',
    default: '/run/mysqld/mysqld.sock',
    unique: true,
  }),
  test_table: string({
    shortdesc: 'Table to test',
    longdesc: 'Table counted by monitor at OCF_CHECK_LEVEL 10 (SELECT COUNT(*)); database.table.',
    default: 'mysql.user',
    reloadable: true,
    monitorOnly: true,
  }),
  test_user: string({
    shortdesc: 'MySQL test user',
    longdesc: 'User for the check-level-10 monitor query. root works with unix_socket authentication as the agent runs as root.',
    default: 'root',
    reloadable: true,
    monitorOnly: true,
  }),
  test_passwd: string({
    shortdesc: 'MySQL test user password',
    longdesc: 'Password of test_user. Prefer client_option_file, which keeps it out of the CIB.',
    default: '',
    secret: true,
    reloadable: true,
    monitorOnly: true,
  }),
  client_option_file: string({
    shortdesc: 'Option file with client credentials',
    longdesc:
      'A MySQL option file (mode 0600, owned by root) whose [tsha-test] or [client] group gives user and password for the monitor when test_user/test_passwd are not set.',
    default: '',
    reloadable: true,
    monitorOnly: true,
  }),
  enable_creation: boolean({
    shortdesc: 'Create the database if it does not exist',
    longdesc:
      'If the data directory holds no system database, initialise it (mariadb-install-db, or mysqld --initialize-insecure) before starting.',
    default: false,
  }),
  additional_parameters: string({
    shortdesc: 'Additional parameters to pass to mysqld',
    longdesc: 'Extra server options, split on blanks (quotes group words); no shell is involved.',
    default: '',
  }),
  replication_user: string({
    shortdesc: 'MySQL replication user',
    longdesc: 'User for replication management and for replicas to connect to the primary (promotable clones).',
    default: 'root',
    monitorOnly: true,
  }),
  replication_passwd: string({
    shortdesc: 'MySQL replication user password',
    longdesc: 'Password of replication_user.',
    default: '',
    secret: true,
    monitorOnly: true,
  }),
  replication_port: integer({
    shortdesc: 'MySQL replication port',
    longdesc: 'TCP port replicas use to reach the primary.',
    default: 3306,
    monitorOnly: true,
  }),
  replication_require_ssl: boolean({
    shortdesc: 'Require SSL for replication',
    longdesc: 'Replication connections must use TLS.',
    default: false,
    monitorOnly: true,
  }),
  replication_master_ssl_ca: string({
    shortdesc: 'Replication CA certificate',
    longdesc: 'CA certificate file replicas use to verify the primary.',
    default: '',
    monitorOnly: true,
  }),
  replication_master_ssl_cert: string({
    shortdesc: 'Replication client certificate',
    longdesc: 'Client certificate file replicas present to the primary.',
    default: '',
    monitorOnly: true,
  }),
  replication_master_ssl_key: string({
    shortdesc: 'Replication client key',
    longdesc: 'Key of replication_master_ssl_cert.',
    default: '',
    monitorOnly: true,
  }),
  semi_sync: boolean({
    shortdesc: 'Semi-synchronous replication',
    longdesc:
      'Promotable clones: semi-synchronous replication both ways, with the wait point AFTER_SYNC set by the agent: ' +
      'a commit on the primary is acknowledged only once a replica has it, so a crash of the primary loses no acknowledged write. ' +
      'A crashed primary restarts with init-rpl-role=SLAVE and gets back from the new primary what its recovery truncated. ' +
      'With no replica connected the primary does not wait.',
    default: false,
  }),
  max_slave_lag: seconds({
    shortdesc: 'Maximum time a replica may lag',
    longdesc: 'A replica further behind is not readable (reader_attribute 0) and, with evict_outdated_slaves, fails its monitor.',
    default: 3600,
    reloadable: true,
    monitorOnly: true,
  }),
  evict_outdated_slaves: boolean({
    shortdesc: 'Stop replicas that lag too far',
    longdesc: 'A replica lagging more than max_slave_lag, or whose lag is unknown, fails its monitor.',
    default: false,
    reloadable: true,
    monitorOnly: true,
  }),
  client_vip: string({
    shortdesc: 'Address clients reach the primary through',
    longdesc:
      'The VIP that follows the primary, ordered after the promotion (promotable clones). At every promotion each node the clone runs on ' +
      'resets its TCP connections to this address on replication_port (ss -K) before the VIP moves: they lead to the old primary, and ' +
      'their clients would otherwise wait out TCP retransmission backoff (seconds) before reconnecting. Empty: nothing is reset.',
    default: '',
    monitorOnly: true,
  }),
  reader_attribute: string({
    shortdesc: 'Node attribute marking readable instances',
    longdesc: 'Transient node attribute set to 1 where the instance may serve reads, 0 elsewhere.',
    default: 'readable',
    unique: true,
    monitorOnly: true,
  }),
  ...perconaParameters(),
} as const;

/**
 * The parameters of Percona's ocf:percona:mysql (PRM 1.0, percona-pacemaker-agents agents/mysql_prm) that
 * heartbeat/mysql lacks, so that a resource changes only its provider. Each is a plain string (any value
 * the old agent took is taken) and monitor-only (stop never fails on one); the description says what tsha
 * does instead. replication_options alone is refused when set (validate.ts): it carried TLS settings, and
 * ignoring it would replicate in clear.
 */
function perconaParameters() {
  const ignored = (shortdesc: string, why: string) =>
    string({
      shortdesc: `${shortdesc} (ignored)`,
      longdesc: `Accepted for compatibility with ocf:percona:mysql and ignored: ${why}`,
      default: '',
      monitorOnly: true,
    });
  return {
    replication_options: string({
      shortdesc: 'Extra CHANGE MASTER options (refused)',
      longdesc:
        'Accepted for compatibility with ocf:percona:mysql, which appended this text to CHANGE MASTER (mostly for TLS), and refused when set (6): tsha builds the statement itself; ' +
        'use replication_master_ssl_ca, replication_master_ssl_cert and replication_master_ssl_key, and replication_port.',
      default: '',
      monitorOnly: true,
    }),
    reader_failcount: ignored(
      'Failed monitors before reader_attribute drops',
      'reader_attribute follows every monitor (max_slave_lag with evict_outdated_slaves decides).',
    ),
    backup_lockfile: ignored(
      'Lock file held by a running backup',
      'replication is never stopped by the agent for a backup to notice, so there is nothing to hold back.',
    ),
    geo_remote_ip: string({
      shortdesc: 'Remote cluster address for geo-DR (unused)',
      longdesc:
        'Accepted for compatibility with ocf:percona:mysql (as geo_remote_IP) and ignored: tsha does not query another cluster over ssh; use booth tickets with ordinary constraints.',
      default: '',
      monitorOnly: true,
      aliases: ['geo_remote_IP'],
    }),
    geo_remote_user: ignored('ssh user for geo-DR', 'no geo-DR over ssh (see geo_remote_ip).'),
    geo_remote_opts: ignored('ssh options for geo-DR', 'no geo-DR over ssh (see geo_remote_ip).'),
    booth_master_ticket: ignored(
      'Booth ticket naming the master site',
      'express the ticket as a Pacemaker rsc_ticket constraint on the promotable clone.',
    ),
    post_promote_script: ignored('Program run after promote', 'the agent runs no hook; a Pacemaker alert agent sees every promote.'),
    prm_binlog_parser_path: ignored('Binary log parser', 'ocf:percona:mysql did not use it either; positions are GTIDs read over SQL.'),
    async_stop: ignored(
      'Return from stop before the server is gone',
      'stop returns only once every server process of the instance is gone, so that Pacemaker never starts another over it.',
    ),
    try_restart_crashed_master: ignored(
      'Restart a crashed master in place',
      'Pacemaker recovers a failed primary (restart or failover, by its on-fail and migration-threshold).',
    ),
    binary_prefix: ignored(
      'Command prefix for the server',
      'the server is started directly; use additional_parameters for server options or a wrapper as binary.',
    ),
  };
}

export type MysqlParameters = typeof mysqlParameters;
export type MysqlValues = ParameterValues<MysqlParameters>;
