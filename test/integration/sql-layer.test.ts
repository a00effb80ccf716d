import { afterAll, describe, expect, it } from 'vitest';
import { Deadline } from '../../shared/ocf/deadline.ts';
import { DeadlineError } from '../../shared/ocf/errors.ts';
import { connect, SqlError, type SqlSession } from '../../shared/mysql/client.ts';
import { openDriverSession } from '../../shared/mysql/driver-session.ts';
import { parseServerVersion } from '../../shared/mysql/dialect.ts';
import { readGreeting, type Endpoint } from '../../shared/mysql/greeting.ts';
import { containerServers } from '../support/containers.ts';
import { sql, startLocalServer, type RunningServer } from '../support/mariadb.ts';

// The same checks run against Debian's MariaDB (always) and, where a Docker engine answers,
// MySQL 8.4 and MariaDB containers from testcontainers.
const local = await startLocalServer();
const containers = await containerServers();
if (containers.skipped) {
  console.log(`[sql-layer] container run (MySQL 8.4, MariaDB 11.4) skipped: ${containers.skipped}`);
}
const servers: RunningServer[] = [local, ...containers.servers];

afterAll(async () => {
  for (const s of servers) await s.stop();
});

const endpointOf = (s: RunningServer): Endpoint => (s.socket ? { socketPath: s.socket } : { host: s.host, port: s.port });
const root = (s: RunningServer) => ({ user: 'root', password: s.rootPassword });

describe.each(servers.map((s) => [s.label, s] as const))('the SQL layer against %s', (label, server) => {
  it('reads the server greeting without credentials and detects the dialect from it', async () => {
    const g = await readGreeting(endpointOf(server), 5000);
    expect(g.kind).toBe('handshake');
    if (g.kind !== 'handshake') return;
    const dialect = parseServerVersion(g.version);
    expect(dialect.flavor).toBe(/mysql/i.test(label) ? 'mysql' : 'mariadb');
    if (dialect.flavor === 'mysql' && dialect.version[0] === 8 && dialect.version[1] >= 4) {
      expect(dialect.replicaKeyword).toBe('REPLICA');
    }
  });

  it('connects, queries, and reports the same version over SQL as in the greeting', async () => {
    const session = await connect(endpointOf(server), root(server), new Deadline(10_000));
    try {
      const rows = await session.query<{ v: string }[]>('SELECT VERSION() AS v');
      const g = await readGreeting(endpointOf(server), 5000);
      expect(g.kind === 'handshake' && g.version.endsWith(rows[0]!.v)).toBe(true);
    } finally {
      session.close();
    }
  });

  it('a query slower than its cap fails with a timeout error, not a hang', async () => {
    const session = await connect(endpointOf(server), root(server), new Deadline(10_000));
    try {
      const error = await session.query('SELECT SLEEP(5)', 300).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SqlError);
      expect((error as SqlError).timedOut).toBe(true);
    } finally {
      session.close();
    }
  });

  it('wrong credentials are an access-denied error', async () => {
    const error = await connect(endpointOf(server), { user: 'tsha_nobody', password: 'wrong' }, new Deadline(10_000)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SqlError);
    expect((error as SqlError).accessDenied).toBe(true);
  });

  it('no connection is attempted once the deadline has passed', async () => {
    const error = await connect(endpointOf(server), root(server), new Deadline(0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineError);
  });
});

/**
 * tsha's own client (wire-session.ts) against the real server: every account MariaDB sets up by default
 * goes through it, its rows are exactly what mysql2 returns for the same statements, and an account
 * with another authentication method is served by mysql2.
 */
describe("tsha's own SQL client against Debian's MariaDB", () => {
  const socket = local.socket!;
  const password = 'n4tive-Pässword';

  const overSocket = { socketPath: socket };
  const overTcp = { host: local.host, port: local.port };

  async function withSession<T>(session: SqlSession, use: (s: SqlSession) => Promise<T>): Promise<T> {
    try {
      return await use(session);
    } finally {
      session.close();
    }
  }

  it("root over the socket (unix_socket, MariaDB's default for root) goes through tsha's client", async () => {
    await withSession(await connect(overSocket, { user: 'root', password: undefined }, new Deadline(10_000)), async (s) => {
      expect(s.via).toBe('wire');
      expect(await s.query('SELECT CURRENT_USER() AS u')).toEqual([{ u: 'root@localhost' }]);
    });
  });

  it('an account with a native password connects over the socket and over TCP, with its thread id', async () => {
    await sql(socket, "CREATE USER IF NOT EXISTS 'tsha_native'@'localhost' IDENTIFIED BY '" + password + "'");
    await sql(socket, "CREATE USER IF NOT EXISTS 'tsha_native'@'127.0.0.1' IDENTIFIED BY '" + password + "'");
    for (const endpoint of [overSocket, overTcp]) {
      await withSession(await connect(endpoint, { user: 'tsha_native', password }, new Deadline(10_000)), async (s) => {
        expect(s.via).toBe('wire');
        const [row] = await s.query<{ id: number }[]>('SELECT CONNECTION_ID() AS id');
        expect(row!.id).toBe(s.threadId);
      });
    }
  });

  it('a wrong native password is access denied, and no fallback to mysql2 is tried', async () => {
    const error = await connect(overTcp, { user: 'tsha_native', password: 'wrong' }, new Deadline(10_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlError);
    expect((error as SqlError).accessDenied).toBe(true);
    expect((error as SqlError).message).not.toContain('mysql2');
  });

  it('returns the same rows as mysql2 for the same statements, types included', async () => {
    await sql(socket, 'CREATE DATABASE IF NOT EXISTS tsha_parity');
    await sql(
      socket,
      'CREATE TABLE IF NOT EXISTS tsha_parity.t (id BIGINT UNSIGNED PRIMARY KEY, i INT, d DOUBLE, f FLOAT, m DECIMAL(10,2), ' +
        'at DATETIME(3), day DATE, tm TIME, name VARCHAR(40), raw VARBINARY(8), bits BIT(4), e ENUM("a","b"), txt TEXT, blb BLOB, nothing INT) DEFAULT CHARSET=utf8mb4',
    );
    await sql(
      socket,
      'REPLACE INTO tsha_parity.t VALUES (18446744073709551615, -7, 1.5, 0.25, 12345678.90, "2026-12-06 15:00:00.123", "2026-12-06", "-01:02:03", ' +
        `"ünïcode ✓", X'00FF10', b'1010', 'b', REPEAT('x', 300), X'DEADBEEF', NULL)`,
    );
    // The mariadb client splits statements at ';' unless told another delimiter.
    await sql(socket, 'DELIMITER //\nCREATE PROCEDURE IF NOT EXISTS tsha_parity.two() BEGIN SELECT 1 AS a; SELECT "b" AS b; END//');
    const statements = [
      'SELECT * FROM tsha_parity.t',
      'SELECT COUNT(*) AS n FROM tsha_parity.t',
      'SELECT @@global.server_id AS id, @@global.read_only AS ro, @@global.gtid_binlog_pos AS binlog, VERSION() AS v',
      "SHOW GLOBAL VARIABLES LIKE 'gtid%'",
      'SHOW SLAVE STATUS',
      'SHOW GRANTS',
      "SELECT PLUGIN_NAME AS n FROM information_schema.PLUGINS WHERE PLUGIN_NAME IN ('InnoDB', 'nonesuch')",
      'SET @x = 1',
      'UPDATE tsha_parity.t SET i = i WHERE id = 0',
      'CALL tsha_parity.two()',
    ];
    const deadline = new Deadline(30_000);
    const ours = await connect(overSocket, { user: 'root', password: undefined }, deadline);
    const driver = await openDriverSession(overSocket, { user: 'root', password: undefined }, 10_000);
    try {
      for (const statement of statements) {
        const mine = await ours.query(statement);
        const theirs = await driver.query(statement, 10_000);
        // mysql2 returns counts as a ResultSetHeader; compare the fields the two share.
        const shared = (v: unknown): unknown => {
          if (Array.isArray(v)) return v.map(shared);
          if (v && typeof v === 'object' && 'affectedRows' in v) {
            const counts = v as { affectedRows: number; insertId: number };
            return { affectedRows: counts.affectedRows, insertId: counts.insertId };
          }
          return v;
        };
        expect(shared(mine), statement).toEqual(shared(theirs));
      }
    } finally {
      ours.close();
      driver.close();
    }
  });

  it('a server error fails that statement only: the session goes on', async () => {
    await withSession(await connect(overSocket, { user: 'root', password: undefined }, new Deadline(10_000)), async (s) => {
      const error = await s.query('SELECT * FROM tsha_parity.nonesuch').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SqlError);
      expect((error as SqlError).errno).toBe(1146);
      expect(await s.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    });
  });

  it('a statement sent without waiting still runs on the server after the session is closed', async () => {
    await sql(socket, 'CREATE TABLE IF NOT EXISTS tsha_parity.sent (id INT PRIMARY KEY)');
    const s = await connect(overSocket, { user: 'root', password: undefined }, new Deadline(10_000));
    s.send('INSERT IGNORE INTO tsha_parity.sent VALUES (1)');
    s.close();
    const until = Date.now() + 5000;
    while ((await sql(socket, 'SELECT COUNT(*) FROM tsha_parity.sent')) !== '1' && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    expect(await sql(socket, 'SELECT COUNT(*) FROM tsha_parity.sent')).toBe('1');
  });

  it('a deadline error names the statement by its keywords, never its password', async () => {
    const deadline = new Deadline(300);
    await withSession(await connect(overSocket, { user: 'root', password: undefined }, deadline), async (s) => {
      await new Promise((r) => setTimeout(r, 400));
      const error = await s.query("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PASSWORD='hunter2'").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeadlineError);
      expect((error as Error).message).toContain('CHANGE MASTER TO MASTER_HOST');
      expect((error as Error).message).not.toContain('hunter2');
    });
  });

  it('an account with another authentication method (ed25519) is handed to mysql2, and its failure names the method', async () => {
    await sql(socket, "INSTALL SONAME 'auth_ed25519'").catch(() => undefined);
    await sql(socket, "CREATE USER IF NOT EXISTS 'tsha_ed'@'localhost' IDENTIFIED VIA ed25519 USING PASSWORD('x')");
    const error = await connect(overSocket, { user: 'tsha_ed', password: 'x' }, new Deadline(10_000)).catch((e: unknown) => e);
    // mysql2 has no ed25519 either: what matters is that it was asked, and that the reason says why.
    expect(error).toBeInstanceOf(SqlError);
    expect((error as SqlError).message).toMatch(/authentication method client_ed25519, through mysql2/);
  });
});
