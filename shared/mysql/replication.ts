/**
 * Replication state and control over SQL (MariaDB GTID). Statement spellings follow the server's
 * dialect; MySQL's GTID sets (uuid:1-100) are not handled yet.
 */
import type { Deadline } from '../ocf/deadline.ts';
import { GenericError } from '../ocf/errors.ts';
import type { InstanceState, ReplicaStatus } from '../replication/decide.ts';
import { parseGtid, type GtidPosition } from '../replication/gtid.ts';
import type { SqlSession } from './client.ts';

type Row = Record<string, unknown>;

const NOT_CONFIGURED: ReplicaStatus = {
  configured: false, io: 'No', sqlRunning: false, lastIoErrno: 0, lastIoError: '', lastSqlErrno: 0, lastSqlError: '',
  secondsBehind: null, masterHost: '',
};

function text(row: Row, ...keys: string[]): string {
  for (const k of keys) if (row[k] !== undefined && row[k] !== null) return String(row[k]);
  return '';
}

export function replicaStatusOf(row: Row | undefined): ReplicaStatus {
  if (!row || text(row, 'Master_Host', 'Source_Host') === '') return NOT_CONFIGURED;
  const io = text(row, 'Slave_IO_Running', 'Replica_IO_Running');
  const lag = row.Seconds_Behind_Master ?? row.Seconds_Behind_Source;
  return {
    configured: true,
    io: io === 'Yes' ? 'Yes' : io === 'Connecting' ? 'Connecting' : 'No',
    sqlRunning: text(row, 'Slave_SQL_Running', 'Replica_SQL_Running') === 'Yes',
    lastIoErrno: Number(text(row, 'Last_IO_Errno') || 0),
    lastIoError: text(row, 'Last_IO_Error'),
    lastSqlErrno: Number(text(row, 'Last_SQL_Errno') || 0),
    lastSqlError: text(row, 'Last_SQL_Error'),
    // NULL stays null: unknown is not zero.
    secondsBehind: lag === null || lag === undefined || lag === '' ? null : Number(lag),
    masterHost: text(row, 'Master_Host', 'Source_Host'),
  };
}

export async function readInstanceState(s: SqlSession): Promise<InstanceState & { gtidIoPos: GtidPosition; serverId: number }> {
  const [vars] = await s.query<Row[]>('SELECT @@global.read_only AS ro, @@global.gtid_current_pos AS pos, @@global.server_id AS id');
  const status = await s.query<Row[]>('SHOW SLAVE STATUS');
  return {
    readOnly: Number(vars?.ro) === 1,
    position: parseGtid(String(vars?.pos ?? '')),
    serverId: Number(vars?.id ?? 0),
    replica: replicaStatusOf(status[0]),
    gtidIoPos: parseGtid(text(status[0] ?? {}, 'Gtid_IO_Pos')),
  };
}

export async function setReadOnly(s: SqlSession, on: boolean): Promise<void> {
  await s.query(`SET GLOBAL read_only = ${on ? 'ON' : 'OFF'}`);
}

/**
 * Ends client sessions after read_only is set, so a long transaction cannot keep writing nor block
 * demotion past the deadline. Replication and system threads are left alone.
 */
export async function killClientSessions(s: SqlSession, spare: readonly number[] = []): Promise<number> {
  const rows = await s.query<{ id: number }[]>(
    `SELECT id FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND id NOT IN (${[0, ...spare].map(Number).join(',')}) ` +
    "AND user NOT IN ('system user', 'event_scheduler') " +
    "AND command NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon', 'Slave_IO', 'Slave_SQL', 'Slave_worker')");
  let killed = 0;
  for (const { id } of rows) {
    try {
      await s.query(`KILL CONNECTION ${Number(id)}`, 2000);
      killed++;
    } catch {
      // It ended by itself.
    }
  }
  return killed;
}

export interface Source {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly ssl: { readonly ca: string; readonly cert: string; readonly key: string } | undefined;
}

function sqlString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * Replicates from `source` with GTID auto-positioning (current_pos: an old primary's own writes count,
 * errant ones having been refused before). The statement carries the password over the socket only;
 * it is never logged.
 */
export async function follow(s: SqlSession, source: Source): Promise<void> {
  await s.query('STOP SLAVE');
  const ssl = source.ssl
    ? `, MASTER_SSL=1, MASTER_SSL_CA=${sqlString(source.ssl.ca)}, MASTER_SSL_CERT=${sqlString(source.ssl.cert)}, MASTER_SSL_KEY=${sqlString(source.ssl.key)}`
    : '';
  await s.query(`CHANGE MASTER TO MASTER_HOST=${sqlString(source.host)}, MASTER_PORT=${Number(source.port)}, ` +
    `MASTER_USER=${sqlString(source.user)}, MASTER_PASSWORD=${sqlString(source.password)}, MASTER_USE_GTID=current_pos, ` +
    `MASTER_CONNECT_RETRY=1${ssl}`);
  await s.query('START SLAVE');
}

/**
 * Makes the server read-only even while clients hold write transactions open: SET GLOBAL read_only waits
 * for them, so if it has not finished within `patienceMs` the client sessions are ended, and once it is
 * in force every remaining client session is ended too. Returns how many sessions were ended.
 */
export async function becomeReadOnly(setter: SqlSession, killer: SqlSession, patienceMs: number): Promise<number> {
  const setting = setter.query('SET GLOBAL read_only = ON', 60_000).then(() => 'set' as const);
  // A rejection is awaited below; this branch only watches the clock.
  setting.catch(() => undefined);
  const first = await Promise.race([setting, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), patienceMs).unref())]);
  let ended = first === 'waiting' ? await killClientSessions(killer, [setter.threadId]) : 0;
  await setting;
  ended += await killClientSessions(killer, [setter.threadId]);
  return ended;
}

export async function resumeApplying(s: SqlSession): Promise<void> {
  await s.query('START SLAVE SQL_THREAD');
}

/** Stops applying: the SQL thread stops at once, whatever the IO thread is doing. */
export async function stopApplying(s: SqlSession): Promise<void> {
  await s.query('STOP SLAVE SQL_THREAD');
}

/**
 * Stops the IO thread without waiting for it: one blocked on a dead primary takes MariaDB about 2 s to
 * stop, which would delay every failover. The statement completes on the server after this session ends.
 */
export function stopReceivingInBackground(s: SqlSession): void {
  s.send('STOP SLAVE IO_THREAD');
}

/** Forgets the source once both threads are stopped; false while the IO thread is still stopping. */
export async function forgetSource(s: SqlSession): Promise<boolean> {
  const [row] = await s.query<Record<string, unknown>[]>('SHOW SLAVE STATUS');
  if (!row) return true;
  if (row.Slave_IO_Running !== 'No' || row.Slave_SQL_Running !== 'No') return false;
  await s.query('RESET SLAVE ALL');
  return true;
}

/**
 * Applies everything already received (the relay log) before this instance opens for writes, bounded
 * by the deadline: MASTER_GTID_WAIT on the received position.
 */
export async function applyReceived(s: SqlSession, received: string, deadline: Deadline): Promise<void> {
  if (received === '') return;
  const seconds = Math.max(1, Math.floor(deadline.remaining() / 1000) - 1);
  const [row] = await s.query<{ r: number }[]>(`SELECT MASTER_GTID_WAIT(${sqlString(received)}, ${seconds}) AS r`, seconds * 1000 + 2000);
  if (Number(row?.r) !== 0) throw new GenericError(`relay log not applied up to ${received} within ${seconds} s`);
}

/** Semi-synchronous replication both ways (every instance may become primary). */
export async function enableSemiSync(s: SqlSession): Promise<void> {
  await s.query('SET GLOBAL rpl_semi_sync_master_enabled = ON');
  await s.query('SET GLOBAL rpl_semi_sync_slave_enabled = ON');
  // A lone primary (its replica down) keeps accepting writes rather than waiting for an ack.
  await s.query('SET GLOBAL rpl_semi_sync_master_wait_no_slave = OFF');
}
