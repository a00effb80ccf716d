/**
 * The replication statements in each server's words. MariaDB: GTID positions (gtid_binlog_pos and
 * gtid_slave_pos, Gtid_IO_Pos, MASTER_USE_GTID=slave_pos, MASTER_GTID_WAIT). MySQL 8.0/8.4: GTID sets (gtid_executed,
 * Retrieved_Gtid_Set, SOURCE_AUTO_POSITION, WAIT_FOR_EXECUTED_GTID_SET), the REPLICA/SOURCE statements
 * 8.4 requires (the MASTER/SLAVE ones are removed), and super_read_only. Pure: text in, text out.
 */
import type { ServerDialect } from './dialect.ts';

export interface SourceSpec {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly ssl: { readonly ca: string; readonly cert: string; readonly key: string } | undefined;
}

/** A SQL string literal; the value goes over the session only, never into a log. */
export function sqlString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export interface ReplicationStatements {
  /**
   * read_only, the server id, and what the server holds: MySQL's gtid_executed (`pos`) and server_uuid,
   * which names its own GTIDs; MariaDB's gtid_binlog_pos (`binlog`) and gtid_slave_pos (`slave`).
   */
  readonly state: string;
  /** Sets the server_id the server runs under (server-id.ts: a replica's differs from its configured one). */
  readonly setServerId: (id: number) => string;
  /**
   * Before a replica starts from `position` (what it holds): MariaDB replicates from gtid_slave_pos,
   * which is set to it; MySQL's auto-positioning reads gtid_executed itself.
   */
  readonly startFrom: (position: string) => readonly string[];
  readonly replicaStatus: string;
  /** The replica-status column holding what was received (maybe not yet applied). */
  readonly receivedColumn: 'Gtid_IO_Pos' | 'Retrieved_Gtid_Set';
  readonly stopReplica: string;
  readonly startReplica: string;
  readonly stopApplier: string;
  readonly startApplier: string;
  readonly stopReceiver: string;
  readonly resetReplica: string;
  readonly readOnly: (on: boolean) => readonly string[];
  readonly changeSource: (source: SourceSpec) => string;
  /** Waits until `position` is applied, at most `seconds`; the result column `r` is 0 when it was. */
  readonly waitApplied: (position: string, seconds: number) => string;
  /** Semi-sync plugins to install when missing (MySQL); MariaDB has it built in. */
  readonly semiSyncPlugins: readonly { readonly name: string; readonly soname: string }[];
  readonly semiSyncOn: readonly string[];
}

export function replicationStatements(d: ServerDialect): ReplicationStatements {
  const mysql = d.flavor === 'mysql';
  const r = d.replicaKeyword;
  // Option names follow the statement: SOURCE_* with CHANGE REPLICATION SOURCE, MASTER_* with CHANGE MASTER.
  const o = d.changeSource === 'CHANGE REPLICATION SOURCE TO' ? 'SOURCE' : 'MASTER';
  const semi = d.semiSync === 'source' ? { source: 'source', replica: 'replica' } : { source: 'master', replica: 'slave' };
  return {
    state: mysql
      ? 'SELECT @@global.read_only AS ro, @@global.gtid_executed AS pos, @@global.server_id AS id, @@global.server_uuid AS uuid'
      : 'SELECT @@global.read_only AS ro, @@global.gtid_binlog_pos AS binlog, @@global.gtid_slave_pos AS slave, @@global.server_id AS id',
    setServerId: (id) => `SET GLOBAL server_id = ${Math.trunc(Number(id))}`,
    startFrom: (position) => (mysql ? [] : [`SET GLOBAL gtid_slave_pos = ${sqlString(position)}`]),
    replicaStatus: `SHOW ${r} STATUS`,
    receivedColumn: mysql ? 'Retrieved_Gtid_Set' : 'Gtid_IO_Pos',
    stopReplica: `STOP ${r}`,
    startReplica: `START ${r}`,
    stopApplier: `STOP ${r} SQL_THREAD`,
    startApplier: `START ${r} SQL_THREAD`,
    stopReceiver: `STOP ${r} IO_THREAD`,
    resetReplica: `RESET ${r} ALL`,
    // super_read_only keeps even SUPER/CONNECTION_ADMIN accounts from writing to a replica; it
    // implies read_only on, and must go off first when the primary opens.
    readOnly: (on) =>
      d.hasSuperReadOnly
        ? on
          ? ['SET GLOBAL super_read_only = ON']
          : ['SET GLOBAL super_read_only = OFF', 'SET GLOBAL read_only = OFF']
        : [`SET GLOBAL read_only = ${on ? 'ON' : 'OFF'}`],
    changeSource: (s) => {
      const ssl = s.ssl
        ? `, ${o}_SSL=1, ${o}_SSL_CA=${sqlString(s.ssl.ca)}, ${o}_SSL_CERT=${sqlString(s.ssl.cert)}, ${o}_SSL_KEY=${sqlString(s.ssl.key)}`
        : '';
      // MariaDB: slave_pos, set by startFrom to everything the instance holds, its own writes included
      // (errant ones were refused before); current_pos would depend on the server_id it runs under.
      // MySQL: auto-positioning sends what gtid_executed lacks; without TLS, caching_sha2_password
      // (8.0's default) needs the source's public key to send the password.
      const positioning = mysql ? `${o}_AUTO_POSITION=1${s.ssl ? '' : `, GET_${o}_PUBLIC_KEY=1`}` : 'MASTER_USE_GTID=slave_pos';
      return (
        `${d.changeSource} ${o}_HOST=${sqlString(s.host)}, ${o}_PORT=${Number(s.port)}, ${o}_USER=${sqlString(s.user)}, ` +
        `${o}_PASSWORD=${sqlString(s.password)}, ${positioning}, ${o}_CONNECT_RETRY=1${ssl}`
      );
    },
    waitApplied: (position, seconds) =>
      mysql
        ? `SELECT WAIT_FOR_EXECUTED_GTID_SET(${sqlString(position)}, ${Math.floor(seconds)}) AS r`
        : `SELECT MASTER_GTID_WAIT(${sqlString(position)}, ${Math.floor(seconds)}) AS r`,
    semiSyncPlugins: mysql
      ? [
          { name: `rpl_semi_sync_${semi.source}`, soname: `semisync_${semi.source}.so` },
          { name: `rpl_semi_sync_${semi.replica}`, soname: `semisync_${semi.replica}.so` },
        ]
      : [],
    semiSyncOn: [
      `SET GLOBAL rpl_semi_sync_${semi.source}_enabled = ON`,
      `SET GLOBAL rpl_semi_sync_${semi.replica}_enabled = ON`,
      // A lone primary (its replica down) keeps accepting writes rather than waiting for an ack.
      `SET GLOBAL rpl_semi_sync_${semi.source}_wait_no_${semi.replica} = OFF`,
      // The commit waits for the replica's ack before the engine commits: no client sees a row that a
      // crash could take away (AFTER_COMMIT would let other sessions read it first).
      `SET GLOBAL rpl_semi_sync_${semi.source}_wait_point = AFTER_SYNC`,
      // MariaDB: a semi-sync replica's IO thread, when stopped, first connects to its source to end the
      // dump thread there. Re-pointing after a crash, that source is dead and the connect waits this
      // long (2 s of the default 5 measured here) inside post-promote, which the VIP waits for; a live
      // source answers in milliseconds. 1 is the shortest that means a timeout (0's meaning is unstated).
      ...(mysql ? [] : ['SET GLOBAL rpl_semi_sync_slave_kill_conn_timeout = 1']),
    ],
  };
}
