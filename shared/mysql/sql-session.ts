/** What the agents hold while they speak SQL: one session, whichever client carries it (client.ts). */

/** A MySQL account and its password (never logged), for one session. */
export interface SqlCredentials {
  readonly user: string;
  readonly password: string | undefined;
}

export interface SqlSession {
  /** Which client carries the session: tsha's own ('wire') or the full driver ('mysql2'). */
  readonly via: 'wire' | 'mysql2';
  /** The server's id for this session (what KILL takes). */
  readonly threadId: number;
  /** Rows as objects keyed by column name; for a statement without rows, its counts. */
  query<T = Record<string, unknown>[]>(sql: string, capMs?: number): Promise<T>;
  /** Sends a statement without waiting for its result (it runs on even after this session ends). */
  send(sql: string): void;
  /** Ends the session at once, without waiting for the server. */
  close(): void;
}

/** What carries a session: a connected client whose every query has its own timeout. */
export interface SqlTransport {
  readonly via: SqlSession['via'];
  readonly threadId: number;
  query(sql: string, timeoutMs: number): Promise<unknown>;
  send(sql: string): void;
  close(): void;
}
