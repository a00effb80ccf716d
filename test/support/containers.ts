import type { RunningServer } from './mariadb.ts';

/**
 * MySQL 8.4 and MariaDB in containers when a Docker engine answers; an empty list (and the reason)
 * otherwise. The SQL-layer tests run the same code against every server returned.
 */
export async function containerServers(): Promise<{ servers: RunningServer[]; skipped: string | undefined }> {
  let client;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    client = await getContainerRuntimeClient();
  } catch (error) {
    return { servers: [], skipped: `no Docker engine reachable (${(error as Error).message.split('\n')[0]})` };
  }
  void client;
  const { MySqlContainer } = await import('@testcontainers/mysql');
  const { MariaDbContainer } = await import('@testcontainers/mariadb');
  const servers: RunningServer[] = [];
  for (const [label, start] of [
    ['MySQL 8.4 (container)', () => new MySqlContainer('mysql:8.4').withRootPassword('tsha-root').start()],
    ['MariaDB 11.4 (container)', () => new MariaDbContainer('mariadb:11.4').withRootPassword('tsha-root').start()],
  ] as const) {
    const c = await start();
    servers.push({
      label,
      socket: undefined,
      host: c.getHost(),
      port: c.getPort(),
      rootPassword: 'tsha-root',
      async stop() {
        await c.stop();
      },
    });
  }
  return { servers, skipped: undefined };
}
