/**
 * ocf:tsha:rabbitmq: the broker node itself. Depth 0: the pid file names this node's beam.smp, it is
 * not frozen, and it answers the AMQP protocol header with connection.start. Depth 10: a login, a
 * channel and a message through a private queue, with amqplib.
 */
import { chownSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ActionContext, Outcome, ValidationScope } from '../ocf/agent.ts';
import { ConfigurationError, GenericError, NotInstalledError, PermissionError } from '../ocf/errors.ts';
import { OCF } from '../ocf/exit-codes.ts';
import { accountCan, assertExecutable, statOrUndefined } from '../process/access.ts';
import { openAmqp } from '../amqp/session.ts';
import { startDaemon } from '../process/start-daemon.ts';
import { locateDaemon } from '../process/pid-file.ts';
import { allProcesses, descendants, environmentOf, isFrozen, type ProcessInfo } from '../process/proc.ts';
import { terminate } from '../process/terminate.ts';
import { findAccount } from '../process/users.ts';
import { readAmqpGreeting } from '../amqp/greeting.ts';
import type { RabbitmqParameters, RabbitmqValues } from './parameters.ts';

type Ctx = ActionContext<RabbitmqParameters>;
const GREETING_CAP_MS = 5000;

export function monitorHost(p: RabbitmqValues): string {
  return p.node_ip === '' || p.node_ip === '0.0.0.0' ? '127.0.0.1' : p.node_ip === '::' ? '::1' : p.node_ip;
}

/** This node's broker: an Erlang VM whose RABBITMQ_NODENAME is ours. */
function isBroker(proc: ProcessInfo, p: RabbitmqValues): boolean {
  const exe = basename(proc.exe ?? proc.argv[0] ?? '');
  return exe.startsWith('beam') && environmentOf(proc.pid, 'RABBITMQ_NODENAME') === p.nodename;
}

function brokerEnvironment(p: RabbitmqValues, home: string): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    HOME: home,
    RABBITMQ_NODENAME: p.nodename,
    ...(p.node_ip ? { RABBITMQ_NODE_IP_ADDRESS: p.node_ip } : {}),
    RABBITMQ_NODE_PORT: String(p.node_port),
    RABBITMQ_DIST_PORT: String(p.dist_port),
    ERL_EPMD_PORT: String(p.epmd_port),
    RABBITMQ_CONFIG_FILE: p.config_file,
    RABBITMQ_MNESIA_BASE: p.mnesia_base,
    RABBITMQ_LOG_BASE: p.log_base,
    RABBITMQ_PID_FILE: p.pid_file,
    ...(p.enabled_plugins_file ? { RABBITMQ_ENABLED_PLUGINS_FILE: p.enabled_plugins_file } : {}),
  };
}

/**
 * The broker's HOME, where Erlang (the broker and every CLI call) reads its cookie: the account's home,
 * or with erlang_cookie_file a private folder beside the data holding a 0400 copy of that file.
 */
export function brokerHome(p: RabbitmqValues, accountHome: string): string {
  return p.erlang_cookie_file === '' ? accountHome : join(p.mnesia_base, '.tsha-home');
}

/** The broker's folders, created for its account when missing; returns the account. */
function ensureDirectories(p: RabbitmqValues): NonNullable<ReturnType<typeof findAccount>> {
  const account = findAccount(p.user)!;
  for (const dir of [p.mnesia_base, p.log_base, dirname(p.pid_file)]) {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o750 });
      chownSync(dir, account.uid, account.gid);
    }
  }
  return account;
}

/** Puts the cookie in the private HOME (only when its content changed), owned by the broker's account. */
export function prepareHome(p: RabbitmqValues): string {
  const account = ensureDirectories(p);
  const home = brokerHome(p, account.home);
  if (p.erlang_cookie_file === '') return home;
  const cookie = join(home, '.erlang.cookie');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chownSync(home, account.uid, account.gid);
  const wanted = readFileSync(p.erlang_cookie_file, 'utf8').trim();
  const current = existsSync(cookie) ? readFileSync(cookie, 'utf8').trim() : undefined;
  if (current !== wanted) {
    const next = `${cookie}.${process.pid}`;
    writeFileSync(next, wanted, { mode: 0o400 });
    chownSync(next, account.uid, account.gid);
    // A rename replaces a 0400 file: the folder is ours.
    renameSync(next, cookie);
  }
  return home;
}

type Status =
  | { readonly kind: 'stopped'; readonly detail: string; readonly crashed: boolean }
  | { readonly kind: 'serving'; readonly process: ProcessInfo };

export async function status(ctx: Ctx): Promise<Status> {
  const p = ctx.params;
  const found = locateDaemon(p.pid_file, (proc) => isBroker(proc, p), `node ${p.nodename}`);
  if (found.kind === 'stopped') return found;
  const broker = found.process;
  if (isFrozen(broker)) throw new GenericError(`broker ${p.nodename} (pid ${broker.pid}) is stopped (process state ${broker.state})`);
  const host = monitorHost(p);
  const g = await readAmqpGreeting(host, p.node_port, ctx.deadline.budget(GREETING_CAP_MS, 'AMQP greeting'));
  switch (g.kind) {
    case 'start':
      return { kind: 'serving', process: broker };
    case 'refused':
      throw new GenericError(`broker ${p.nodename} (pid ${broker.pid}) runs but ${host}:${p.node_port} refuses AMQP (${g.detail})`);
    case 'timeout':
      throw new GenericError(`broker ${p.nodename} (pid ${broker.pid}): no AMQP answer on ${host}:${p.node_port} within ${g.afterMs} ms`);
    case 'garbled':
      throw new GenericError(`broker ${p.nodename} (pid ${broker.pid}) answered oddly on ${host}:${p.node_port}: ${g.detail}`);
  }
}

/** Depth 10: log in, open a channel, send a message through a private queue and get it back. */
/** The round trip did not finish within its bound (a broker waiting on a peer, or wedged). */
export class RoundTripTimeout extends GenericError {}

export async function roundTrip(ctx: Ctx): Promise<void> {
  const p = ctx.params;
  const timeout = ctx.deadline.budget(10_000, 'AMQP round trip');
  let connection: Awaited<ReturnType<typeof openAmqp>> | undefined;
  const work = async () => {
    connection = await openAmqp(
      { hostname: monitorHost(p), port: p.node_port, username: p.username, password: p.password, vhost: p.vhost, tls: false },
      timeout,
    );
    connection.on('error', () => undefined);
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    const token = `tsha-${process.pid}-${Date.now()}`;
    channel.sendToQueue(queue, Buffer.from(token));
    const got = await ctx.deadline.until(
      'the message back from the private queue',
      async () => {
        const m = await channel.get(queue, { noAck: true });
        return m === false ? undefined : m.content.toString();
      },
      10,
    );
    if (got !== token) throw new GenericError(`the private queue returned another message (${got.slice(0, 40)})`);
  };
  // Every step is bounded together: a queue declaration waits on the cluster's metadata, which can
  // hang until Erlang notices a dead peer.
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RoundTripTimeout(`AMQP round trip did not complete within ${timeout} ms`)), timeout);
  });
  const running = work();
  running.catch(() => undefined);
  try {
    await Promise.race([running, bound]);
  } catch (error) {
    if (error instanceof GenericError) throw error;
    const message = (error as Error).message;
    if (/ACCESS.REFUSED|403/.test(message)) {
      throw new GenericError(`AMQP login as ${p.username} was refused: check username and password`, { cause: error });
    }
    throw new GenericError(`AMQP round trip failed: ${message}`, { cause: error });
  } finally {
    clearTimeout(timer);
    // A broker that hangs may not answer close either: the action ends regardless.
    const c = connection as Awaited<ReturnType<typeof openAmqp>> | undefined;
    await Promise.race([c?.close().catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
  }
}

export async function monitor(ctx: Ctx): Promise<Outcome> {
  const s = await status(ctx);
  if (s.kind === 'stopped') {
    if (s.crashed && !ctx.probe) throw new GenericError(`broker ${ctx.params.nodename} is gone: ${s.detail}`);
    return { code: OCF.NOT_RUNNING, note: s.detail };
  }
  if (ctx.depth >= 10) await roundTrip(ctx);
  return {
    code: OCF.SUCCESS,
    note: `node ${ctx.params.nodename} running (pid ${s.process.pid})${ctx.depth >= 10 ? ', round trip ok' : ''}`,
  };
}

export async function start(ctx: Ctx): Promise<Outcome> {
  const before = await status(ctx);
  if (before.kind === 'serving') return { code: OCF.SUCCESS, note: `already running (pid ${before.process.pid})` };
  const pid = await launchBroker(ctx);
  return { code: OCF.SUCCESS, note: `node ${ctx.params.nodename} running (pid ${pid})` };
}

/** Starts rabbitmq-server and waits, within the deadline, until it answers AMQP; returns the VM's pid. */
export async function launchBroker(ctx: Ctx): Promise<number> {
  const pid = await launchBrokerUnless(ctx, async () => false);
  return pid!;
}

/**
 * launchBroker, except that `giveUp` is asked at each poll while the broker does not serve yet: when
 * it says so, the wait ends there with undefined and the VM is left booting.
 */
export async function launchBrokerUnless(ctx: Ctx, giveUp: () => Promise<boolean>): Promise<number | undefined> {
  const p = ctx.params;
  const account = ensureDirectories(p);
  const { ready } = await startDaemon({
    file: p.binary,
    args: [],
    logFile: join(p.log_base, 'tsha-startup.log'),
    uid: account.uid,
    gid: account.gid,
    cwd: account.home,
    env: brokerEnvironment(p, prepareHome(p)),
    deadline: ctx.deadline,
    what: `broker ${p.nodename} to answer AMQP`,
    errorLines: /error|failed|crash/i,
    intervalMs: 200,
    ready: async () => {
      const s = await status(ctx).catch(() => undefined);
      if (s?.kind === 'serving') return { pid: s.process.pid };
      return (await giveUp()) ? { pid: undefined } : undefined;
    },
  });
  return ready.pid;
}

/** All processes of this broker: the VM, its children, and the start script above it. */
export function brokerProcesses(p: RabbitmqValues): ProcessInfo[] {
  const all = allProcesses();
  const vms = all.filter((proc) => isBroker(proc, p));
  const found = new Map<number, ProcessInfo>();
  for (const vm of vms) {
    found.set(vm.pid, vm);
    for (const child of descendants(vm.pid, all)) if (!basename(child.argv[0] ?? '').startsWith('epmd')) found.set(child.pid, child);
    const parent = all.find((x) => x.pid === vm.ppid);
    if (parent && parent.argv.some((a) => basename(a) === 'rabbitmq-server')) found.set(parent.pid, parent);
  }
  return [...found.values()];
}

export async function stop(ctx: Ctx): Promise<Outcome> {
  const processes = brokerProcesses(ctx.params);
  if (processes.length === 0) return { code: OCF.SUCCESS, note: 'not running' };
  return { code: OCF.SUCCESS, note: await shutDown(ctx, processes) };
}

/** SIGTERM is the broker's clean shutdown; epmd, shared with other Erlang nodes, is left running. */
export async function shutDown(ctx: Ctx, processes: readonly ProcessInfo[]): Promise<string> {
  const { killed } = await terminate(processes, { deadline: ctx.deadline, log: ctx.log, what: `broker ${ctx.params.nodename}` });
  return killed ? 'killed after the clean shutdown timed out' : 'shut down cleanly';
}

export async function validate(ctx: Ctx, scope: ValidationScope): Promise<void> {
  const p = ctx.params;
  for (const name of ['binary', 'mnesia_base', 'log_base', 'pid_file'] as const) {
    // A bare binary is a program on the PATH (the runner resolved it if it is there).
    if (name === 'binary' && !p.binary.includes('/')) continue;
    if (!p[name].startsWith('/'))
      throw new ConfigurationError(`parameter ${name} must be an absolute path, got ${JSON.stringify(p[name])}`);
  }
  if (!/^[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+$/.test(p.nodename))
    throw new ConfigurationError(`parameter nodename expects name@host, got ${JSON.stringify(p.nodename)}`);
  for (const name of ['node_port', 'dist_port', 'epmd_port'] as const) {
    if (p[name] < 1 || p[name] > 65535) throw new ConfigurationError(`parameter ${name} expects a TCP port (1-65535), got ${p[name]}`);
  }
  if (scope === 'parameters') return;
  assertExecutable('binary', p.binary);
  const account = findAccount(p.user);
  if (!account) throw new NotInstalledError(`user ${p.user} does not exist`);
  if (!existsSync(p.config_file)) throw new NotInstalledError(`config_file ${p.config_file} does not exist`);
  if (p.erlang_cookie_file !== '' && !existsSync(p.erlang_cookie_file))
    throw new NotInstalledError(`erlang_cookie_file ${p.erlang_cookie_file} does not exist`);
  const data = statOrUndefined(p.mnesia_base);
  if (data && !accountCan(account, data, 'write'))
    throw new PermissionError(`mnesia_base ${p.mnesia_base} is not writable by user ${p.user}`);
}
