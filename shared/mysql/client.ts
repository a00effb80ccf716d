import type { Deadline } from '../ocf/deadline.ts';
import { openDriverSession } from './driver-session.ts';
import type { Endpoint } from './greeting.ts';
import type { SqlCredentials, SqlSession, SqlTransport } from './sql-session.ts';
import { UnsupportedAuthError, WireSession } from './wire-session.ts';

export type { SqlCredentials, SqlSession } from './sql-session.ts';

/** A failed SQL call with the client's code kept, so callers map it to an OCF code by meaning. */
export class SqlError extends Error {
  readonly code: string;
  readonly errno: number | undefined;
  constructor(message: string, code: string, errno: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SqlError';
    this.code = code;
    this.errno = errno;
  }
  /** The server refused the credentials: it is alive, the configuration is wrong. */
  get accessDenied(): boolean {
    // 1698: denied by an authentication plugin (unix_socket for an account that is not this OS user).
    return this.code === 'ER_ACCESS_DENIED_ERROR' || this.code === 'ER_DBACCESS_DENIED_ERROR' || this.errno === 1045 || this.errno === 1698;
  }
  /** The account is valid but lacks a privilege the statement needs (1227 specific, 1142 table, 1044 database). */
  get privilegeDenied(): boolean {
    return this.errno === 1227 || this.errno === 1142 || this.errno === 1044;
  }
  get timedOut(): boolean {
    return this.code === 'ETIMEDOUT' || this.code === 'PROTOCOL_SEQUENCE_TIMEOUT';
  }
}

/** Either client's error (both carry code, errno and sqlMessage) as an SqlError. */
function wrap(error: unknown, what: string): SqlError {
  const e = error as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  const detail = e.sqlMessage ?? e.message ?? String(error);
  return new SqlError(`${what}: ${detail}`, e.code ?? 'UNKNOWN', e.errno, { cause: error });
}

/**
 * What a statement is called in a deadline error: its leading keywords only. The statement itself can
 * hold a secret (CHANGE MASTER TO ... MASTER_PASSWORD='...'), and that message becomes the exit reason.
 */
export function statementLabel(sql: string): string {
  const words = /^\s*((?:[A-Za-z_]+\s+){0,3}[A-Za-z_]+)/.exec(sql)?.[1] ?? 'a statement';
  return words.replace(/\s+/g, ' ');
}

/** One session, every call bounded by the action's deadline and its own cap. */
class DeadlineBoundSession implements SqlSession {
  readonly #transport: SqlTransport;
  readonly #deadline: Deadline;

  constructor(transport: SqlTransport, deadline: Deadline) {
    this.#transport = transport;
    this.#deadline = deadline;
  }

  get via(): SqlSession['via'] {
    return this.#transport.via;
  }

  get threadId(): number {
    return this.#transport.threadId;
  }

  async query<T = Record<string, unknown>[]>(sql: string, capMs = 10_000): Promise<T> {
    const timeout = this.#deadline.budget(capMs, `query ${statementLabel(sql)}`);
    try {
      return (await this.#transport.query(sql, timeout)) as T;
    } catch (error) {
      throw wrap(error, `query failed after ${timeout} ms cap`);
    }
  }

  send(sql: string): void {
    this.#transport.send(sql);
  }

  close(): void {
    this.#transport.close();
  }
}

/**
 * Connects as `credentials`. tsha's own client (wire-session.ts) serves every account whose method is
 * the native password or needs no password proof (unix_socket), which is what MariaDB and Debian set
 * up; an account with any other method is served by mysql2, loaded only then.
 */
export async function connect(endpoint: Endpoint, credentials: SqlCredentials, deadline: Deadline, capMs = 10_000): Promise<SqlSession> {
  let transport: SqlTransport;
  const timeout = deadline.budget(capMs, 'connect');
  try {
    transport = await WireSession.open(endpoint, credentials, timeout);
  } catch (error) {
    if (!(error instanceof UnsupportedAuthError)) throw wrap(error, `connect as ${credentials.user}`);
    const retry = deadline.budget(capMs, 'connect through mysql2');
    try {
      transport = await openDriverSession(endpoint, credentials, retry);
    } catch (driverError) {
      throw wrap(driverError, `connect as ${credentials.user} (authentication method ${error.method}, through mysql2)`);
    }
  }
  return new DeadlineBoundSession(transport, deadline);
}

/** Backquotes an identifier (db.table allowed), refusing anything but plain names. */
export function quoteTable(name: string): string {
  return name
    .split('.')
    .map((part) => `\`${part.replaceAll('`', '``')}\``)
    .join('.');
}
