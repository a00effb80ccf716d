import { afterAll, describe, expect, it } from 'vitest';
import { Deadline } from '../../shared/ocf/deadline.ts';
import { DeadlineError } from '../../shared/ocf/errors.ts';
import { connect, SqlError } from '../../shared/mysql/client.ts';
import { parseServerVersion } from '../../shared/mysql/dialect.ts';
import { readGreeting, type Endpoint } from '../../shared/mysql/greeting.ts';
import { containerServers } from '../support/containers.ts';
import { startLocalServer, type RunningServer } from '../support/mariadb.ts';

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
