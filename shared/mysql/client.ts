import type { Connection, ConnectionOptions } from 'mysql2';
import type { Deadline } from '../ocf/deadline.ts';
import type { Endpoint } from './greeting.ts';

/** A MySQL account and its password (never logged), for one session. */
export interface SqlCredentials {
  readonly user: string;
  readonly password: string | undefined;
}

/** A failed SQL call with the driver's code kept, so callers map it to an OCF code by meaning. */
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

function wrap(error: unknown, what: string): SqlError {
  const e = error as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  const detail = e.sqlMessage ?? e.message ?? String(error);
  return new SqlError(`${what}: ${detail}`, e.code ?? 'UNKNOWN', e.errno, { cause: error });
}

/** mysql2 costs ~40 ms to load: only the actions that speak SQL pay for it. */
async function driver(): Promise<typeof import('mysql2')> {
  return import('mysql2');
}

/** One connection, every call bounded by the action's deadline and its own cap. */
export class SqlSession {
  readonly #connection: Connection;
  readonly #deadline: Deadline;

  constructor(connection: Connection, deadline: Deadline) {
    this.#connection = connection;
    this.#deadline = deadline;
  }

  query<T = Record<string, unknown>[]>(sql: string, capMs = 10_000): Promise<T> {
    const timeout = this.#deadline.budget(capMs, `query ${sql}`);
    return new Promise((resolve, reject) => {
      this.#connection.query({ sql, timeout }, (error, rows) => {
        if (error) reject(wrap(error, `query failed after ${timeout} ms cap`));
        else resolve(rows as T);
      });
    });
  }

  /** The server's id for this session (what KILL takes). */
  get threadId(): number {
    return this.#connection.threadId ?? -1;
  }

  /** Sends a statement without waiting for its result (it runs on even after this session ends). */
  send(sql: string): void {
    this.#connection.query({ sql }, () => undefined);
  }

  close(): void {
    // destroy, not end: end() waits for the server, which may be the thing that hangs.
    this.#connection.destroy();
  }
}

export async function connect(endpoint: Endpoint, credentials: SqlCredentials, deadline: Deadline, capMs = 10_000): Promise<SqlSession> {
  const mysql = await driver();
  const connectTimeout = deadline.budget(capMs, 'connect');
  const options: ConnectionOptions = {
    ...('socketPath' in endpoint ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port }),
    user: credentials.user,
    connectTimeout,
    supportBigNumbers: true,
    dateStrings: true,
    ...(credentials.password ? { password: credentials.password } : {}),
  };
  return new Promise((resolve, reject) => {
    const connection = mysql.createConnection(options);
    connection.once('connect', () => resolve(new SqlSession(connection, deadline)));
    connection.once('error', (error) => {
      connection.destroy();
      reject(wrap(error, `connect as ${credentials.user}`));
    });
  });
}

/** Backquotes an identifier (db.table allowed), refusing anything but plain names. */
export function quoteTable(name: string): string {
  return name
    .split('.')
    .map((part) => `\`${part.replaceAll('`', '``')}\``)
    .join('.');
}
