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

/** Two servers of one flavour where the replica reaches the source at `replicationHost:replicationPort`. */
export interface ServerPair {
  readonly label: string;
  readonly source: RunningServer;
  readonly replica: RunningServer;
  readonly replicationHost: string;
  readonly replicationPort: number;
  stop(): Promise<void>;
}

/**
 * A MySQL 8.4 source and replica with GTIDs on, on a network of their own (the replica reaches the
 * source by the alias "source"), when a Docker engine answers; none otherwise.
 */
export async function containerPairs(): Promise<{ pairs: ServerPair[]; skipped: string | undefined }> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch (error) {
    return { pairs: [], skipped: `no Docker engine reachable (${(error as Error).message.split('\n')[0]})` };
  }
  const { Network } = await import('testcontainers');
  const { MySqlContainer } = await import('@testcontainers/mysql');
  const network = await new Network().start();
  const start = (id: number, alias: string) =>
    new MySqlContainer('mysql:8.4')
      .withRootPassword('tsha-root')
      .withNetwork(network)
      .withNetworkAliases(alias)
      .withCommand([
        `--server-id=${id}`,
        '--gtid-mode=ON',
        '--enforce-gtid-consistency=ON',
        '--log-bin=mysql-bin',
        '--log-replica-updates=ON',
      ])
      .start();
  const [source, replica] = await Promise.all([start(1, 'source'), start(2, 'replica')]);
  const asServer = (c: typeof source, label: string): RunningServer => ({
    label,
    socket: undefined,
    host: c.getHost(),
    port: c.getPort(),
    rootPassword: 'tsha-root',
    async stop() {
      await c.stop();
    },
  });
  return {
    pairs: [
      {
        label: 'MySQL 8.4 (containers)',
        source: asServer(source, 'MySQL 8.4 source'),
        replica: asServer(replica, 'MySQL 8.4 replica'),
        replicationHost: 'source',
        replicationPort: 3306,
        async stop() {
          await Promise.all([source.stop(), replica.stop()]);
          await network.stop();
        },
      },
    ],
    skipped: undefined,
  };
}
