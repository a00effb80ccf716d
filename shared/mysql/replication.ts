/**
 * Replication state and control over SQL, in the server's own statements (replication-sql.ts): MariaDB
 * GTID positions, MySQL 8.0/8.4 GTID sets and REPLICA/SOURCE statements.
 */
import type { Deadline } from '../ocf/deadline.ts';
import { GenericError } from '../ocf/errors.ts';
import type { InstanceState, ReplicaStatus } from '../replication/decide.ts';
import { furthestOf, parseGtid } from '../replication/gtid.ts';
import { formatPosition, parsePosition, type Position } from '../replication/position.ts';
import { configurableServerId, configuredServerId, replicaServerId } from '../replication/server-id.ts';
import type { SqlSession } from './client.ts';
import { parseServerVersion, type ServerDialect } from './dialect.ts';
import { replicationStatements, sqlString, type ReplicationStatements, type SourceSpec } from './replication-sql.ts';

type Row = Record<string, unknown>;

const NOT_CONFIGURED: ReplicaStatus = {
  configured: false,
  io: 'No',
  sqlRunning: false,
  lastIoErrno: 0,
  lastIoError: '',
  lastSqlErrno: 0,
  lastSqlError: '',
  secondsBehind: null,
  masterHost: '',
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

/** A session with the server's dialect and its replication statements. */
export interface Replication {
  readonly session: SqlSession;
  readonly dialect: ServerDialect;
  readonly sql: ReplicationStatements;
}

/** `version`: the server's version when already known (a monitor has it from the greeting), else asked. */
export async function replicationOf(session: SqlSession, version?: string): Promise<Replication> {
  const text = version ?? String((await session.query<{ v: string }[]>('SELECT VERSION() AS v'))[0]?.v ?? '');
  const dialect = parseServerVersion(text);
  return { session, dialect, sql: replicationStatements(dialect) };
}

export interface ObservedState extends InstanceState {
  /** What was received, maybe not applied yet: MariaDB's Gtid_IO_Pos, MySQL's Retrieved_Gtid_Set. */
  readonly received: Position;
  /** The configured server_id, whatever the server runs under now (server-id.ts). */
  readonly serverId: number;
  /** The server_id it runs under now: the configured one, or its replica id while it replicates. */
  readonly runningServerId: number;
  /** What names this server's own transactions: server_id (MariaDB), server_uuid (MySQL). */
  readonly source: number | string;
}

export async function readInstanceState(r: Replication): Promise<ObservedState> {
  const flavor = r.dialect.flavor;
  const [vars] = await r.session.query<Row[]>(r.sql.state);
  const status = await r.session.query<Row[]>(r.sql.replicaStatus);
  const runningServerId = Number(vars?.id ?? 0);
  const serverId = configuredServerId(runningServerId);
  return {
    readOnly: Number(vars?.ro) === 1,
    position:
      flavor === 'mysql'
        ? parsePosition(String(vars?.pos ?? ''), flavor)
        : { kind: 'mariadb', gtid: furthestOf(parseGtid(String(vars?.binlog ?? '')), parseGtid(String(vars?.slave ?? ''))) },
    runningServerId,
    serverId,
    source: flavor === 'mysql' ? String(vars?.uuid ?? '') : serverId,
    replica: replicaStatusOf(status[0]),
    received: parsePosition(text(status[0] ?? {}, r.sql.receivedColumn), flavor),
  };
}

export async function setReadOnly(r: Replication, on: boolean): Promise<void> {
  for (const statement of r.sql.readOnly(on)) await r.session.query(statement);
}

/**
 * Ends client sessions after read_only is set, so a long transaction cannot keep writing nor block
 * demotion past the deadline. Replication and system threads are left alone.
 */
export async function killClientSessions(s: SqlSession, spare: readonly number[] = []): Promise<number> {
  const rows = await s.query<{ id: number }[]>(
    `SELECT id FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND id NOT IN (${[0, ...spare].map(Number).join(',')}) ` +
      "AND user NOT IN ('system user', 'event_scheduler') " +
      "AND command NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon', 'Slave_IO', 'Slave_SQL', 'Slave_worker')",
  );
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

/**
 * Replicates from `source` by GTID, from everything this instance holds — its own writes too, under its
 * replica server_id so that none of them is dropped as "ours" (server-id.ts). The statement carries the
 * password over the session only; it is never logged.
 */
export async function follow(r: Replication, source: SourceSpec): Promise<void> {
  await r.session.query(r.sql.stopReplica);
  const state = await readInstanceState(r);
  if (!configurableServerId(state.serverId)) {
    throw new GenericError(
      `server_id ${state.serverId} cannot replicate under tsha: configure one from 1 to 2147483647, unique per instance`,
    );
  }
  for (const statement of r.sql.startFrom(formatPosition(state.position))) await r.session.query(statement);
  await r.session.query(r.sql.setServerId(replicaServerId(state.serverId)));
  await r.session.query(r.sql.changeSource(source));
  await r.session.query(r.sql.startReplica);
}

/** Back to the configured server_id, before this instance writes as the primary. */
export async function writeAsItself(r: Replication, state: ObservedState): Promise<void> {
  if (state.runningServerId !== state.serverId) await r.session.query(r.sql.setServerId(state.serverId));
}

/**
 * Makes the server read-only even while clients hold write transactions open: SET GLOBAL read_only waits
 * for them, so if it has not finished within `patienceMs` the client sessions are ended, and once it is
 * in force every remaining client session is ended too. Returns how many sessions were ended.
 */
export async function becomeReadOnly(setter: Replication, killer: SqlSession, patienceMs: number): Promise<number> {
  // The first statement (super_read_only where the server has it) is the one that waits for writers.
  const [first, ...rest] = setter.sql.readOnly(true);
  const setting = setter.session.query(first!, 60_000).then(() => 'set' as const);
  // A rejection is awaited below; this branch only watches the clock.
  setting.catch(() => undefined);
  const outcome = await Promise.race([
    setting,
    new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), patienceMs).unref()),
  ]);
  let ended = outcome === 'waiting' ? await killClientSessions(killer, [setter.session.threadId]) : 0;
  await setting;
  for (const statement of rest) await setter.session.query(statement);
  ended += await killClientSessions(killer, [setter.session.threadId]);
  return ended;
}

export async function resumeApplying(r: Replication): Promise<void> {
  await r.session.query(r.sql.startApplier);
}

/** Stops applying: the SQL thread stops at once, whatever the IO thread is doing. */
export async function stopApplying(r: Replication): Promise<void> {
  await r.session.query(r.sql.stopApplier);
}

/**
 * Stops the IO thread without waiting for it: one blocked on a dead primary takes MariaDB about 2 s to
 * stop, which would delay every failover. The statement completes on the server after this session ends.
 */
export function stopReceivingInBackground(s: SqlSession, sql: ReplicationStatements): void {
  s.send(sql.stopReceiver);
}

/** Forgets the source once both threads are stopped; false while the IO thread is still stopping. */
export async function forgetSource(r: Replication): Promise<boolean> {
  const [row] = await r.session.query<Row[]>(r.sql.replicaStatus);
  if (!row) return true;
  const status = replicaStatusOf(row);
  if (status.io !== 'No' || status.sqlRunning) return false;
  await r.session.query(r.sql.resetReplica);
  return true;
}

/**
 * Applies everything already received (the relay log) before this instance opens for writes, bounded
 * by the deadline: MASTER_GTID_WAIT / WAIT_FOR_EXECUTED_GTID_SET on the received position.
 */
export async function applyReceived(r: Replication, received: string, deadline: Deadline): Promise<void> {
  if (received === '') return;
  const seconds = Math.max(1, Math.floor(deadline.remaining() / 1000) - 1);
  const [row] = await r.session.query<{ r: number }[]>(r.sql.waitApplied(received, seconds), seconds * 1000 + 2000);
  if (Number(row?.r) !== 0) throw new GenericError(`relay log not applied up to ${received} within ${seconds} s`);
}

/**
 * Semi-synchronous replication both ways (every instance may become primary). MySQL loads it as
 * plugins, installed here when missing; MariaDB has it built in.
 */
export async function enableSemiSync(r: Replication): Promise<void> {
  if (r.sql.semiSyncPlugins.length > 0) {
    const names = r.sql.semiSyncPlugins.map((p) => sqlString(p.name)).join(', ');
    const present = new Set(
      (
        await r.session.query<{ n: string }[]>(`SELECT PLUGIN_NAME AS n FROM information_schema.PLUGINS WHERE PLUGIN_NAME IN (${names})`)
      ).map((row) => row.n),
    );
    for (const p of r.sql.semiSyncPlugins)
      if (!present.has(p.name)) await r.session.query(`INSTALL PLUGIN ${p.name} SONAME ${sqlString(p.soname)}`);
  }
  for (const statement of r.sql.semiSyncOn) await r.session.query(statement);
}
