import { execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findAccount } from '../../shared/process/users.ts';

const run = promisify(execFile);

export const MARIADBD = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'].find(existsSync) ?? '/usr/sbin/mariadbd';

/**
 * A port free on 127.0.0.1 now, for a server that a test starts later. It is taken below the kernel's
 * ephemeral range (`ip_local_port_range`), where every outgoing connection on the machine gets its source
 * port, so no connection can take it before the server binds it. A port from that range once was taken
 * that way: a test broker failed with `dist_port_already_used` beside the cluster project. Candidates are
 * random, and each is bound once to check it is free; other tests pick at random too, so two rarely meet.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  if (low - PRIVATE_FLOOR >= 1000) {
    for (let i = 0; i < 50; i++) {
      const port = PRIVATE_FLOOR + Math.floor(Math.random() * (low - PRIVATE_FLOOR));
      if (!KNOWN_PORTS.has(port) && (await bindable(port))) return port;
    }
  }
  return kernelChosenPort();
}

/** Below the ephemeral range, above the ports that services listen on by default. */
const PRIVATE_FLOOR = 20_000;
/** Default ports in that span that a packaged service may open later: RabbitMQ's distribution port. */
const KNOWN_PORTS = new Set([25_672]);

/** The first port of the kernel's ephemeral range (32768 unless configured). */
function ephemeralLow(): number {
  try {
    const low = Number.parseInt(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]!, 10);
    return Number.isFinite(low) ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port the kernel picks from its ephemeral range: free now, as the fallback. */
function kernelChosenPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Where one private instance lives: the agent's parameters point here, never at the system's server. */
export interface InstanceLayout {
  readonly dir: string;
  readonly datadir: string;
  readonly socket: string;
  readonly pid: string;
  readonly log: string;
  readonly config: string;
  readonly port: number;
  /** The agent parameters for this instance. */
  readonly params: Record<string, string>;
  remove(): void;
}

function mysqlAccount(): { uid: number; gid: number } {
  const account = findAccount('mysql');
  if (!account) throw new Error('the mysql account is missing: install mariadb-server');
  return { uid: account.uid, gid: account.gid };
}

let template: Promise<string> | undefined;

/**
 * A datadir initialised once per run with mariadb-install-db, copied for each instance (seconds saved per
 * test). One bootstrap even when several servers start at once, with its own tmpdir: a bootstrap in the
 * shared /tmp once lost its temporary table file mid-run ("Could not remove temporary table", CI).
 */
function templateDatadir(): Promise<string> {
  template ??= initialiseTemplate().catch((error: unknown) => {
    template = undefined;
    throw error;
  });
  return template;
}

async function initialiseTemplate(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tsha-template-'));
  chmodSync(dir, 0o755);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const datadir = join(dir, 'data');
  await installSystemTables(datadir, join(dir, 'tmp'));
  return datadir;
}

/**
 * mariadb-install-db into `datadir` (the system database only, root by socket), the server's temporary
 * files in `tmp` (created, the mysql account's), never the shared /tmp: a bootstrap there lost its
 * temporary table file mid-run twice, once beside the integration tests' servers and once setting up a
 * lab ("Error on delete of '/tmp/#sql-temptable-…'", CI).
 */
export async function installSystemTables(datadir: string, tmp: string): Promise<void> {
  const { uid, gid } = mysqlAccount();
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  chownSync(tmp, uid, gid);
  await run(
    'mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--tmpdir=${tmp}`,
      '--user=mysql',
      '--auth-root-authentication-method=socket',
      '--skip-test-db',
    ],
    { timeout: 120_000 },
  );
}

/**
 * A private instance layout on a free port, in a private directory: datadir (initialised unless
 * `empty`), config, and where socket, pid file and log go.
 */
export async function instanceLayout(
  options: { empty?: boolean; config?: string; extra?: readonly string[] } = {},
): Promise<InstanceLayout> {
  const dir = mkdtempSync(join(tmpdir(), 'tsha-mysql-'));
  chmodSync(dir, 0o755);
  const { uid, gid } = mysqlAccount();
  const datadir = join(dir, 'data');
  if (options.empty) {
    // enable_creation makes it
  } else {
    cpSync(await templateDatadir(), datadir, { recursive: true, preserveTimestamps: true });
    await run('chown', ['-R', `${uid}:${gid}`, datadir]);
  }
  const run_ = join(dir, 'run');
  mkdirSync(run_, { mode: 0o755 });
  chownSync(run_, uid, gid);
  const port = await freePort();
  const config = join(dir, 'my.cnf');
  writeFileSync(
    config,
    options.config ??
      [
        '[mysqld]',
        `port = ${port}`,
        'bind-address = 127.0.0.1',
        'skip-name-resolve',
        'innodb_buffer_pool_size = 16M',
        'innodb_log_file_size = 8M',
        'performance_schema = OFF',
        'max_connections = 20',
        ...(options.extra ?? []),
        '',
      ].join('\n'),
  );
  const layout = {
    dir,
    datadir,
    socket: join(run_, 'mysqld.sock'),
    pid: join(run_, 'mysqld.pid'),
    log: join(dir, 'error.log'),
    config,
    port,
  };
  return {
    ...layout,
    params: {
      binary: MARIADBD,
      config: layout.config,
      datadir: layout.datadir,
      socket: layout.socket,
      pid: layout.pid,
      log: layout.log,
      user: 'mysql',
      group: 'mysql',
    },
    remove() {
      stopByPidFile(layout.pid);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Test clean-up: whatever still runs from this layout is killed outright. */
export function stopByPidFile(pidFile: string): void {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 1) {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    }
  } catch {
    // nothing there
  }
}

/** Runs SQL through the Debian client as root over the socket (test set-up only, never in the agents). */
export async function sql(socket: string, statement: string): Promise<string> {
  const { stdout } = await run('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-N', '-B', '-e', statement], {
    timeout: 30_000,
  });
  return stdout.trim();
}

/** A server started by the harness itself (not through the agent), for tests of the SQL layer. */
/** [mysqld] settings of a server that replicates by GTID: its server_id, binary logs, log_slave_updates. */
export function replicationSettings(serverId: number): string[] {
  return [`server_id = ${serverId}`, 'log_bin = mysql-bin', 'log_slave_updates = ON', 'binlog_format = ROW', 'gtid_strict_mode = ON'];
}

export interface RunningServer {
  readonly label: string;
  readonly socket: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly rootPassword: string | undefined;
  stop(): Promise<void>;
}

/** `extra`: more [mysqld] settings (say, a server_id and binary logs for replication). */
export async function startLocalServer(options: { extra?: readonly string[] } = {}): Promise<RunningServer> {
  const layout = await instanceLayout(options);
  const { uid, gid } = mysqlAccount();
  const child = spawn(
    MARIADBD,
    [
      `--defaults-file=${layout.config}`,
      `--datadir=${layout.datadir}`,
      `--socket=${layout.socket}`,
      `--pid-file=${layout.pid}`,
      `--log-error=${layout.log}`,
      '--user=mysql',
    ],
    { uid, gid, detached: true, stdio: 'ignore' },
  );
  child.unref();
  const until = Date.now() + 60_000;
  while (!existsSync(layout.socket)) {
    if (Date.now() > until || child.exitCode !== null)
      throw new Error(`mariadbd did not start: ${readFileSync(layout.log, 'utf8').slice(-800)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    label: `MariaDB (Debian package, ${MARIADBD})`,
    socket: layout.socket,
    host: '127.0.0.1',
    port: layout.port,
    rootPassword: undefined,
    async stop() {
      layout.remove();
    },
  };
}
