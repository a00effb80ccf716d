/**
 * The full mysql2 driver behind the SqlSession interface, for the accounts tsha's own client does not
 * authenticate (an authentication method other than the native password: caching_sha2_password,
 * sha256_password, ...). It costs ~40 ms to load, so only those accounts pay for it (client.ts).
 */
import type { Connection, ConnectionOptions } from 'mysql2';
import type { Endpoint } from './greeting.ts';
import type { SqlCredentials, SqlTransport } from './sql-session.ts';

export class DriverSession implements SqlTransport {
  readonly via = 'mysql2' as const;
  readonly #connection: Connection;

  constructor(connection: Connection) {
    this.#connection = connection;
  }

  query(sql: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#connection.query({ sql, timeout: timeoutMs }, (error, rows) => (error ? reject(error) : resolve(rows)));
    });
  }

  get threadId(): number {
    return this.#connection.threadId ?? -1;
  }

  send(sql: string): void {
    this.#connection.query({ sql }, () => undefined);
  }

  close(): void {
    // destroy, not end: end() waits for the server, which may be the thing that hangs.
    this.#connection.destroy();
  }
}

/** Connects with mysql2 within `timeoutMs`; rejects with mysql2's error. */
export async function openDriverSession(endpoint: Endpoint, credentials: SqlCredentials, timeoutMs: number): Promise<DriverSession> {
  const mysql = await import('mysql2');
  const options: ConnectionOptions = {
    ...('socketPath' in endpoint ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port }),
    user: credentials.user,
    connectTimeout: timeoutMs,
    supportBigNumbers: true,
    dateStrings: true,
    ...(credentials.password ? { password: credentials.password } : {}),
  };
  return new Promise((resolve, reject) => {
    const connection = mysql.createConnection(options);
    connection.once('connect', () => resolve(new DriverSession(connection)));
    connection.once('error', (error) => {
      connection.destroy();
      reject(error);
    });
  });
}
