/**
 * The factory every OpenStack service agent is built with: one declaration per agent file holds only
 * what differs (binary, config, account, how it is checked). Checks run in-process, bounded by the
 * deadline; a failing service is 1 (or 190 when only its broker is unreachable), never 7.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { defineAgent, type ActionContext, type Agent, type Outcome, type ValidationScope } from '../ocf/agent.ts';
import { ConfigurationError, GenericError, InstalledError } from '../ocf/errors.ts';
import { OCF } from '../ocf/exit-codes.ts';
import { boolean, string, type ParameterValues } from '../ocf/parameters.ts';
import { splitWords } from '../ocf/words.ts';
import { inspectPidFile } from '../process/pid-file.ts';
import { allProcesses, descendants, isFrozen, type ProcessInfo } from '../process/proc.ts';
import { startDaemon } from '../process/start-daemon.ts';
import { terminate } from '../process/terminate.ts';
import { findAccount } from '../process/users.ts';
import { httpCheck } from './http-check.ts';
import { iniValue } from './ini.ts';
import { parseTransportUrl } from './transport-url.ts';

export interface ServiceSpec {
  readonly name: string;
  readonly shortdesc: string;
  readonly longdesc: string;
  readonly binary: string;
  readonly config: string;
  readonly user: string;
  /**
   * How the service is checked: RPC services by a consumer on their own queue `<topic>.<host>`; API
   * services by an unauthenticated GET of their own endpoint.
   */
  readonly check: { readonly kind: 'rpc'; readonly topic: string } | { readonly kind: 'http'; readonly url: string };
}

function serviceParameters(spec: ServiceSpec) {
  return {
    binary: string({ shortdesc: 'Service binary', longdesc: `The ${spec.name} executable, started as --config-file <config>.`, default: spec.binary }),
    config: string({ shortdesc: 'Service configuration file', longdesc: 'oslo.config file passed with --config-file; transport_url and host are read from it.', default: spec.config }),
    user: string({ shortdesc: 'Service account', longdesc: 'System account the service runs as (no su).', default: spec.user }),
    pid: string({ shortdesc: 'Pid file', longdesc: 'Pid file the agent writes; empty means /run/resource-agents/<resource>.pid.', default: '' }),
    log: string({ shortdesc: 'Output log', longdesc: 'File receiving the service\'s standard output and error; empty means /var/log/<user>/<agent>-ocf.log.', default: '' }),
    additional_parameters: string({ shortdesc: 'Additional parameters', longdesc: 'Extra arguments, split on blanks (quotes group words); no shell.', default: '' }),
    transport_url: string({ shortdesc: 'RabbitMQ transport URL', longdesc: 'oslo.messaging transport_url for the queue check; empty reads [DEFAULT] transport_url from config. Keeping it in the config file keeps its password out of the CIB.', default: '', secret: true, monitorOnly: true, reloadable: true }),
    host: string({ shortdesc: 'Service host name', longdesc: 'The host part of the service\'s own queue (<topic>.<host>); empty reads [DEFAULT] host from config, else the node\'s host name.', default: '', monitorOnly: true, reloadable: true }),
    amqp_server_port: string({ shortdesc: 'AMQP port (unused)', longdesc: 'Accepted for compatibility with the openstack-resource-agents; the port comes from transport_url.', default: '5672', monitorOnly: true }),
    url: string({ shortdesc: 'Endpoint checked (API services)', longdesc: 'The service\'s own endpoint that monitor GETs; any answer below 500 means it serves.', default: spec.check.kind === 'http' ? spec.check.url : '', monitorOnly: true, reloadable: true }),
    ca_file: string({ shortdesc: 'CA bundle (API services, https)', longdesc: 'CA certificates that sign the endpoint\'s certificate.', default: '', monitorOnly: true, reloadable: true }),
    insecure: boolean({ shortdesc: 'Skip certificate verification (API services)', longdesc: 'Do not verify the endpoint\'s TLS certificate.', default: false, monitorOnly: true, reloadable: true }),
    database_server_port: string({ shortdesc: 'Database port (unused)', longdesc: 'Accepted for compatibility with the openstack-resource-agents; the database is not probed by port.', default: '3306', monitorOnly: true }),
  } as const;
}

type Params = ReturnType<typeof serviceParameters>;
type Values = ParameterValues<Params>;
type Ctx = ActionContext<Params>;

function pidFile(ctx: Ctx): string {
  return ctx.params.pid || join(process.env.HA_RSCTMP || '/run/resource-agents', `${ctx.env.instance}.pid`);
}

function logFile(ctx: Ctx, spec: ServiceSpec): string {
  return ctx.params.log || `/var/log/${ctx.params.user}/${spec.name}-ocf.log`;
}

/** The service process: its command line names the binary (python3 /usr/bin/nova-conductor …). */
function isService(p: ProcessInfo, v: Values): boolean {
  const name = basename(v.binary);
  return p.argv.slice(0, 3).some((a) => basename(a) === name);
}

function configValue(v: Values, key: string): string | undefined {
  try {
    return iniValue(v.config, 'DEFAULT', key);
  } catch {
    return undefined;
  }
}

type Found = { readonly kind: 'stopped'; readonly crashed: boolean; readonly detail: string } | { readonly kind: 'running'; readonly process: ProcessInfo };

function find(ctx: Ctx): Found {
  const state = inspectPidFile(pidFile(ctx), (p) => isService(p, ctx.params));
  if (state.kind === 'unreadable') throw new GenericError(state.detail);
  if (state.kind === 'running') return { kind: 'running', process: state.process };
  return {
    kind: 'stopped',
    crashed: state.kind === 'stale',
    detail: state.kind === 'absent' ? `no pid file ${pidFile(ctx)}` : `pid file ${pidFile(ctx)} names pid ${state.pid}, which is not ${basename(ctx.params.binary)}`,
  };
}

/** Depth 0 for an API service: its own endpoint answers below 500 within the deadline. */
async function endpointCheck(ctx: Ctx, spec: ServiceSpec): Promise<Outcome | undefined> {
  const url = ctx.params.url;
  const ca = ctx.params.ca_file ? readFileSync(ctx.params.ca_file, 'utf8') : undefined;
  const v = await httpCheck(url, { timeoutMs: ctx.deadline.budget(5000, `GET ${url}`), ...(ca ? { ca } : {}), insecure: ctx.params.insecure });
  switch (v.kind) {
    case 'alive':
      return undefined;
    case 'server-error':
      throw new GenericError(`${spec.name} answers ${url} with HTTP ${v.status}`);
    case 'unreachable':
      throw new GenericError(`${spec.name} does not answer ${url} (${v.code})`);
  }
}

/** Depth 0 for an RPC service: a consumer sits on its own queue, `<topic>.<host>` (not the shared topic queue). */
async function consumerCheck(ctx: Ctx, spec: ServiceSpec & { check: { kind: 'rpc'; topic: string } }): Promise<Outcome | undefined> {
  const url = ctx.params.transport_url || configValue(ctx.params, 'transport_url');
  if (!url) throw new ConfigurationError(`no transport_url: set the parameter or [DEFAULT] transport_url in ${ctx.params.config}`);
  const target = parseTransportUrl(url);
  const host = ctx.params.host || configValue(ctx.params, 'host') || hostname();
  const queue = `${spec.check.topic}.${host}`;
  const amqp = await import('amqplib');
  let connection;
  try {
    connection = await amqp.connect({
      protocol: target.tls ? 'amqps' : 'amqp', hostname: target.hostname, port: target.port, username: target.username,
      password: target.password, vhost: target.vhost, heartbeat: 0,
    }, { timeout: ctx.deadline.budget(5000, 'AMQP connect') });
  } catch (error) {
    // The service runs; its broker does not answer: it cannot work, but restarting it would not help.
    return { code: OCF.DEGRADED, reason: `${spec.name} runs but RabbitMQ at ${target.hostname}:${target.port} is unreachable (${(error as Error).message})` };
  }
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    const q = await channel.checkQueue(queue).catch((error: Error) => {
      throw new GenericError(`${spec.name}'s queue ${queue} does not exist (${error.message.split(';')[0]})`, { cause: error });
    });
    if (q.consumerCount < 1) throw new GenericError(`no consumer on ${spec.name}'s queue ${queue}: the service does not take its RPC calls`);
    return undefined;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

export function openstackService(spec: ServiceSpec): Agent<Params> {
  const parameters = serviceParameters(spec);

  async function monitor(ctx: Ctx): Promise<Outcome> {
    const found = find(ctx);
    if (found.kind === 'stopped') {
      if (found.crashed && !ctx.probe) throw new GenericError(`${spec.name} is gone: ${found.detail}`);
      return { code: OCF.NOT_RUNNING, note: found.detail };
    }
    if (isFrozen(found.process)) throw new GenericError(`${spec.name} (pid ${found.process.pid}) is stopped (process state ${found.process.state})`);
    const check = spec.check;
    const problem = check.kind === 'rpc' ? await consumerCheck(ctx, { ...spec, check }) : await endpointCheck(ctx, spec);
    return problem ?? { code: OCF.SUCCESS, note: `${spec.name} running (pid ${found.process.pid}), ${check.kind === 'rpc' ? 'consuming its queue' : `answering ${ctx.params.url}`}` };
  }

  async function start(ctx: Ctx): Promise<Outcome> {
    const before = find(ctx);
    if (before.kind === 'running') return { code: OCF.SUCCESS, note: `already running (pid ${before.process.pid})` };
    const account = findAccount(ctx.params.user)!;
    const log = logFile(ctx, spec);
    for (const dir of [dirname(pidFile(ctx)), dirname(log)]) if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o755 });
    let written = false;
    const { pid } = await startDaemon({
      file: ctx.params.binary, args: ['--config-file', ctx.params.config, ...splitWords(ctx.params.additional_parameters)],
      logFile: log, uid: account.uid, gid: account.gid, cwd: '/', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: account.home },
      deadline: ctx.deadline, what: `${spec.name} to ${spec.check.kind === 'rpc' ? 'consume its queue' : `answer ${ctx.params.url}`}`, errorLines: /error|critical|traceback/i,
      ready: async () => {
        if (!written) return undefined;
        const outcome = await monitor(ctx);
        return (typeof outcome === 'number' ? outcome : outcome.code) === OCF.SUCCESS ? true : undefined;
      },
      onSpawn: (child) => {
        writeFileSync(pidFile(ctx), `${child}\n`);
        written = true;
      },
    });
    return { code: OCF.SUCCESS, note: `${spec.name} running (pid ${pid})` };
  }

  async function stop(ctx: Ctx): Promise<Outcome> {
    const found = find(ctx);
    if (found.kind === 'stopped') {
      rmSync(pidFile(ctx), { force: true });
      return { code: OCF.SUCCESS, note: 'not running' };
    }
    // Services fork workers: the whole tree goes.
    const { killed } = await terminate([found.process, ...descendants(found.process.pid, allProcesses())], { deadline: ctx.deadline, log: ctx.log, what: spec.name });
    rmSync(pidFile(ctx), { force: true });
    return { code: OCF.SUCCESS, note: killed ? 'killed after SIGTERM timed out' : 'stopped' };
  }

  async function validate(ctx: Ctx, scope: ValidationScope): Promise<void> {
    try {
      splitWords(ctx.params.additional_parameters);
    } catch (error) {
      throw new ConfigurationError(`parameter additional_parameters: ${(error as Error).message}`, { cause: error });
    }
    if (ctx.params.transport_url) {
      try {
        parseTransportUrl(ctx.params.transport_url);
      } catch (error) {
        throw new ConfigurationError(`parameter transport_url: ${(error as Error).message}`, { cause: error });
      }
    }
    if (scope === 'parameters') return;
    try {
      accessSync(ctx.params.binary, constants.X_OK);
    } catch {
      throw new InstalledError(`binary ${ctx.params.binary} is not installed or not executable`);
    }
    if (!findAccount(ctx.params.user)) throw new InstalledError(`user ${ctx.params.user} does not exist`);
    if (!existsSync(ctx.params.config)) throw new InstalledError(`config file ${ctx.params.config} does not exist`);
  }

  return defineAgent({
    name: spec.name,
    version: '0.1.0',
    shortdesc: spec.shortdesc,
    longdesc: spec.longdesc,
    parameters,
    validate,
    actions: {
      start: { timeout: 60, run: start },
      stop: { timeout: 60, run: stop },
      monitor: { timeout: 20, interval: 10, depth: 0, run: monitor },
      'reload-agent': { timeout: 20, run: async () => OCF.SUCCESS },
    },
  });
}
