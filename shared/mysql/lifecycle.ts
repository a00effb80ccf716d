import { chownSync, closeSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ActionContext, Outcome } from '../ocf/agent.ts';
import type { Deadline } from '../ocf/deadline.ts';
import type { Logger } from '../ocf/log.ts';
import { GenericError, NotInstalledError } from '../ocf/errors.ts';
import { OCF } from '../ocf/exit-codes.ts';
import { splitWords } from '../ocf/words.ts';
import { childProcess } from '../ocf/builtins.ts';
import { startDaemon } from '../process/start-daemon.ts';
import { inspectPidFile } from '../process/pid-file.ts';
import type { ProcessInfo } from '../process/proc.ts';
import { terminate } from '../process/terminate.ts';
import { findAccount, findGroup, type Account } from '../process/users.ts';
import { findInstanceServers, isSafeWrapper, isServerProcess, safeParent, type ServerPaths } from './instance.ts';
import type { MysqlParameters, MysqlValues } from './parameters.ts';
import { isPromotable } from './clone.ts';
import { beforeStop, startAsReplica } from './promotable.ts';
import { serverStatus, type ServerStatus } from './status.ts';

const ERROR_LINE = /\[ERROR\]|error:/i;

/** Creates a directory the server writes into (pid, socket), owned by its account. */
function ensureDirectory(path: string, uid: number, gid: number): void {
  if (existsSync(path)) return;
  mkdirSync(path, { recursive: true, mode: 0o755 });
  chownSync(path, uid, gid);
}

function ensureLog(path: string, uid: number, gid: number): void {
  closeSync(openSync(path, 'a', 0o640));
  chownSync(path, uid, gid);
}

/** What launching and stopping a server reads: parameters the mysql and galera families share. */
export type LaunchValues = ServerPaths &
  Pick<MysqlValues, 'config' | 'user' | 'group' | 'log' | 'enable_creation' | 'additional_parameters'>;

/** What the shared launch and stop need of an action. */
export interface ServerContext {
  readonly params: LaunchValues;
  readonly deadline: Deadline;
  readonly log: Logger;
}

/** The family's own options go between the paths and additional_parameters. */
function serverArguments(p: LaunchValues, familyArgs: readonly string[]): string[] {
  // --defaults-file must come first; the explicit paths below override whatever it says.
  return [
    `--defaults-file=${p.config}`,
    `--datadir=${p.datadir}`,
    `--pid-file=${p.pid}`,
    `--socket=${p.socket}`,
    `--log-error=${p.log}`,
    `--user=${p.user}`,
    ...familyArgs,
    ...splitWords(p.additional_parameters),
  ];
}

function promotableArguments(p: MysqlValues): string[] {
  return [
    // A promotable instance always starts as a replica: read-only, replication started by the agent.
    // MariaDB knows skip-slave-start, MySQL ≥ 8.0.26 skip-replica-start and super_read_only: loose-,
    // so each server takes its own and ignores the others'.
    '--read-only',
    '--loose-skip-slave-start',
    '--loose-skip-replica-start',
    '--loose-super-read-only=ON',
    // MariaDB ≥ 10.6 recovering a crashed semi-sync primary as a replica truncates the binlog tail no
    // replica acknowledged, instead of keeping it as errant transactions (loose-: others ignore it).
    ...(p.semi_sync ? ['--loose-init-rpl-role=SLAVE'] : []),
  ];
}

function installDbTool(binary: string): string | undefined {
  const dirs = [dirname(binary), join(dirname(binary), '..', 'bin'), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    for (const name of ['mariadb-install-db', 'mysql_install_db']) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}

/** enable_creation: initialise an empty datadir with the server's own tool, bounded by the deadline. */
async function initialiseDatadir(ctx: ServerContext, account: Account, group: number): Promise<void> {
  const p = ctx.params;
  ensureDirectory(p.datadir, account.uid, group);
  const tool = installDbTool(p.binary);
  const [file, args] = tool
    ? [
        tool,
        [
          `--defaults-file=${p.config}`,
          `--datadir=${p.datadir}`,
          `--user=${p.user}`,
          '--auth-root-authentication-method=socket',
          '--skip-test-db',
        ],
      ]
    : [p.binary, [`--defaults-file=${p.config}`, `--datadir=${p.datadir}`, `--user=${p.user}`, '--initialize-insecure']];
  ctx.log.info(`initialising datadir ${p.datadir} with ${basename(file)}`);
  await new Promise<void>((resolve, reject) => {
    childProcess().execFile(
      file,
      args,
      { signal: ctx.deadline.signal, cwd: '/', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } },
      (error, _stdout, stderr) => {
        if (!error) return resolve();
        const lines = stderr
          .split('\n')
          .filter((l) => ERROR_LINE.test(l))
          .slice(-2)
          .join(' | ');
        reject(new GenericError(`initialising datadir ${p.datadir} failed: ${lines || error.message}`, { cause: error }));
      },
    );
  });
}

/** The folders the server writes its pid file, socket and log into (a fresh /run has none), and the log. */
export function prepareServerDirectories(p: LaunchValues): void {
  const account = findAccount(p.user)!;
  const gid = findGroup(p.group)!.gid;
  ensureDirectory(dirname(p.pid), account.uid, gid);
  ensureDirectory(dirname(p.socket), account.uid, gid);
  ensureDirectory(dirname(p.log), account.uid, gid);
  ensureLog(p.log, account.uid, gid);
}

/**
 * Launches a stopped server (initialising an empty datadir with enable_creation) and waits until it
 * greets on its socket, or fails fast with the telling lines of its log. `crashed`: a pid file outlived
 * its server and is removed first.
 */
export async function launchServer(
  ctx: ServerContext,
  familyArgs: readonly string[],
  crashed: { readonly crashed: boolean; readonly detail: string },
): Promise<{ pid: number; ready: ServerStatus & { kind: 'serving' | 'saturated' } }> {
  const { params: p, deadline, log } = ctx;
  const account = findAccount(p.user)!;
  const gid = findGroup(p.group)!.gid;
  if (!existsSync(join(p.datadir, 'mysql'))) {
    if (!p.enable_creation) {
      throw new NotInstalledError(`datadir ${p.datadir} holds no system database (mysql/); set enable_creation=true to initialise it`);
    }
    await initialiseDatadir(ctx, account, gid);
  }
  if (crashed.crashed) {
    // Its process is gone (checked by pid and start time); the server may not be able to overwrite it.
    log.info(`removing stale pid file: ${crashed.detail}`);
    rmSync(p.pid, { force: true });
  }
  prepareServerDirectories(p);

  // mysqld_safe runs as root and switches itself; the server proper is started as its account directly.
  const asAccount = isSafeWrapper(p.binary) ? {} : { uid: account.uid, gid };
  const launched = await startDaemon({
    file: p.binary,
    args: serverArguments(p, familyArgs),
    logFile: p.log,
    cwd: p.datadir,
    ...asAccount,
    deadline,
    what: 'mysqld to answer on its socket',
    errorLines: ERROR_LINE,
    ready: async () => {
      const s = await serverStatus(p, deadline);
      return s.kind === 'stopped' ? undefined : s;
    },
  });
  log.info(`started ${basename(p.binary)} (pid ${launched.pid})`);
  return launched;
}

/** Idempotent: a serving instance is success; otherwise launch it and wait until it greets, or fail fast. */
export async function start(ctx: ActionContext<MysqlParameters>): Promise<Outcome> {
  const { params: p, deadline } = ctx;
  const before = await serverStatus(p, deadline);
  if (before.kind !== 'stopped') return { code: OCF.SUCCESS, note: `already running (pid ${before.process.pid})` };
  const promotable = isPromotable(ctx.env);
  const { ready } = await launchServer(ctx, promotable ? promotableArguments(p) : [], before);
  if (promotable) await startAsReplica(ctx);
  return { code: OCF.SUCCESS, note: `running (pid ${ready.process.pid}, ${ready.kind === 'serving' ? ready.version : 'saturated'})` };
}

/**
 * Idempotent: clean shutdown by SIGTERM, SIGKILL when the deadline nears, success only once every server
 * process of this instance is gone. Reads no monitoring input, so it cannot fail on one.
 */
export async function stop(ctx: ActionContext<MysqlParameters>): Promise<Outcome> {
  if (isPromotable(ctx.env)) await beforeStop(ctx);
  return { code: OCF.SUCCESS, note: await stopServer(ctx) };
}

/** Stops every server process of this instance (its mysqld_safe first); says how. */
export async function stopServer(ctx: ServerContext): Promise<string> {
  const { params: p, deadline, log } = ctx;
  const isServer = (proc: ProcessInfo) => isServerProcess(proc, p.binary);
  const servers = findInstanceServers(p);
  // A server started outside tsha may not name its pid file on its command line.
  const named = inspectPidFile(p.pid, isServer);
  if (named.kind === 'running' && !servers.some((s) => s.pid === named.pid)) servers.push(named.process);
  let how = 'not running';
  if (servers.length > 0) {
    const wrappers = servers.map(safeParent).filter((w) => w !== undefined);
    const { killed } = await terminate([...wrappers, ...servers], { deadline, log, what: 'mysqld' });
    how = killed ? 'killed after the clean shutdown timed out' : 'shut down cleanly';
    log.info(`mysqld (pid ${servers.map((s) => s.pid).join(', ')}) ${how}`);
  }
  // A pid file whose process is gone (a crash, or the SIGKILL above) is left-over state: clean it up.
  if (inspectPidFile(p.pid, isServer).kind === 'stale') rmSync(p.pid, { force: true });
  return how;
}
