/**
 * The factory every OpenStack service agent is built with: one declaration per agent file holds only
 * what differs (binary, config, account, how it is checked, uwsgi). Start is a detached daemon (or
 * uwsgi) ready when its depth-0 check passes; stop takes the whole process tree and needs nothing that
 * only monitoring uses; monitor reports a failing service as failing (1), never as stopped.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { assertExecutable } from '../process/access.ts';
import { defineAgent, type ActionContext, type Agent, type Outcome, type ValidationScope } from '../ocf/agent.ts';
import { ConfigurationError, GenericError, NotInstalledError, OcfError } from '../ocf/errors.ts';
import { OCF } from '../ocf/exit-codes.ts';
import { booleanOf, type ParameterTable, type ParameterValues } from '../ocf/parameters.ts';
import { splitWords } from '../ocf/words.ts';
import { locateDaemon, type DaemonPresence } from '../process/pid-file.ts';
import { allProcesses, descendants, isFrozen, type ProcessInfo } from '../process/proc.ts';
import { startDaemon } from '../process/start-daemon.ts';
import { terminate } from '../process/terminate.ts';
import { findAccount } from '../process/users.ts';
import { backendRecord } from './backend-grace.ts';
import { authenticatedCheck, consumerCheck, endpointCheck, tlsOptions, type CheckContext, type Problem } from './checks.ts';
import { resolveCredentials } from './credentials.ts';
import { readConfig } from './ini.ts';
import { launchCommand } from './launch.ts';
import { serviceParameters, type ServiceParameterTable } from './service-parameters.ts';
import type { HttpCheck, ServiceSpec } from './service-spec.ts';
import { parseTransportUrl } from './transport-url.ts';

export type { ServiceSpec } from './service-spec.ts';

type Values = ParameterValues<ServiceParameterTable>;
type Ctx = ActionContext<ServiceParameterTable>;

export function openstackService<const E extends ParameterTable = Record<never, never>>(
  spec: ServiceSpec<E>,
): Agent<ServiceParameterTable> {
  const parameters = serviceParameters(spec);
  // The values were parsed from a table that holds the agent's own parameters E: these are theirs.
  const raw = (v: Values) => v as unknown as ParameterValues<E>;
  const binaryOf = (v: Values) => v.binary || spec.derive?.(raw(v)).binary || '';
  const urlOf = (v: Values) => v.url || spec.derive?.(raw(v)).url || '';
  const configFiles = (v: Values) => splitWords(v.config);
  const underUwsgi = (v: Values) => spec.uwsgi !== undefined && v.uwsgi_ini !== '';
  const pidFile = (ctx: Ctx) => ctx.params.pid || join(ctx.env.stateDir, `${ctx.env.instance}.pid`);
  const logFile = (ctx: Ctx) => ctx.params.log || `/var/log/${ctx.params.user}/${spec.name}-ocf.log`;

  /** The service process: its command line names the binary (python3 /usr/bin/nova-conductor …), and under uwsgi, its ini. */
  function isService(p: ProcessInfo, v: Values): boolean {
    const name = basename(binaryOf(v));
    if (!p.argv.slice(0, 3).some((a) => basename(a) === name)) return false;
    return !underUwsgi(v) || p.argv.includes(v.uwsgi_ini);
  }

  const find = (ctx: Ctx): DaemonPresence => locateDaemon(pidFile(ctx), (p) => isService(p, ctx.params), basename(binaryOf(ctx.params)));

  const checkContext = (ctx: Ctx): CheckContext => ({
    deadline: ctx.deadline,
    log: ctx.log,
    service: spec.name,
    stateDir: ctx.env.stateDir,
  });

  /**
   * The depth-10 login of an API service, or undefined when nothing provides one; keystone falls back
   * to its own endpoint for the auth URL.
   */
  function monitorCredentials(v: Values, check: HttpCheck): ReturnType<typeof resolveCredentials> {
    return resolveCredentials(v, configFiles(v), check.authenticated?.kind === 'token' ? urlOf(v) : undefined);
  }
  const noCredentials = (v: Values) =>
    new ConfigurationError(
      `depth 10 has no Keystone credentials: set os_cloud, os_credentials_file, os_username or [keystone_authtoken] in ${v.config}`,
    );

  /** The checks of one depth, after the process itself was found alive and not frozen. */
  async function serviceCheck(ctx: Ctx, depth: number): Promise<Problem> {
    const v = ctx.params;
    const check = spec.check;
    if (check.kind === 'rpc') {
      const conf = readConfig(configFiles(v));
      return consumerCheck(checkContext(ctx), check, {
        transportUrl: v.transport_url || conf('DEFAULT', 'transport_url'),
        host: v.host || conf('DEFAULT', 'host') || process.getBuiltinModule('node:os').hostname(),
        exchange: conf('DEFAULT', 'control_exchange') || check.exchange,
        pingEnabled: booleanOf(conf('DEFAULT', 'rpc_ping_enabled')) === true,
        depth,
        configName: v.config,
        reconnectGrace: v.reconnect_grace,
      });
    }
    const url = urlOf(v);
    const resolved = depth >= 10 && check.authenticated ? monitorCredentials(v, check) : undefined;
    const tls = tlsOptions(v, resolved?.tls);
    const problem = await endpointCheck(checkContext(ctx), url, tls);
    if (problem || depth < 10 || !check.authenticated) return problem;
    if (!resolved) throw noCredentials(v);
    return authenticatedCheck(checkContext(ctx), check, url, resolved.credentials, tls, {
      seconds: v.backend_grace ?? 0,
      key: ctx.env.instance,
    });
  }

  async function monitor(ctx: Ctx): Promise<Outcome> {
    const found = find(ctx);
    if (found.kind === 'stopped') {
      if (found.crashed && !ctx.probe) throw new GenericError(`${spec.name} is gone: ${found.detail}`);
      return { code: OCF.NOT_RUNNING, note: found.detail };
    }
    if (isFrozen(found.process))
      throw new GenericError(`${spec.name} (pid ${found.process.pid}) is stopped (process state ${found.process.state})`);
    const depth = ctx.probe ? 0 : ctx.depth;
    const problem = await serviceCheck(ctx, depth);
    if (problem) return problem;
    const what = spec.check.kind === 'rpc' ? 'consuming its queue' : `answering ${urlOf(ctx.params)}`;
    return { code: OCF.SUCCESS, note: `${spec.name} running (pid ${found.process.pid}), ${what}${depth >= 10 ? ' (depth 10)' : ''}` };
  }

  async function start(ctx: Ctx): Promise<Outcome> {
    const before = find(ctx);
    if (before.kind === 'running') return { code: OCF.SUCCESS, note: `already running (pid ${before.process.pid})` };
    // A new process gets the whole backend_grace: a failure its predecessor had seen is not its own.
    if (spec.check.kind === 'http') backendRecord(ctx.env.stateDir, ctx.env.instance).clear();
    const v = ctx.params;
    const account = findAccount(v.user)!;
    const log = logFile(ctx);
    for (const dir of [dirname(pidFile(ctx)), dirname(log)]) if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o755 });
    const launch = launchCommand(
      {
        binary: binaryOf(v),
        configFiles: configFiles(v),
        extra: [...(spec.extraArgs?.(raw(v)) ?? []), ...splitWords(v.additional_parameters)],
        account,
        uwsgiIni: underUwsgi(v) ? v.uwsgi_ini : '',
        httpSocket: v.http_socket ?? '',
        workers: v.workers ?? 0,
        workerMercy: v.worker_mercy ?? 0,
      },
      spec.uwsgi,
    );
    let written = false;
    const readiness = spec.check.kind === 'rpc' ? 'consume its queue' : `answer ${urlOf(v)}`;
    const { pid } = await startDaemon({
      file: launch.file,
      args: [...launch.args],
      logFile: log,
      uid: launch.uid,
      gid: launch.gid,
      cwd: '/',
      env: { ...launch.env },
      deadline: ctx.deadline,
      what: `${spec.name} to ${readiness}`,
      errorLines: /error|critical|traceback|unable|refused/i,
      ready: async () => {
        if (!written) return undefined;
        return (await serviceCheck(ctx, 0)) === undefined ? true : undefined;
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
    // Services fork workers (uwsgi, nova-api): the whole tree goes.
    const { killed } = await terminate([found.process, ...descendants(found.process.pid, allProcesses())], {
      deadline: ctx.deadline,
      log: ctx.log,
      what: spec.name,
    });
    rmSync(pidFile(ctx), { force: true });
    return { code: OCF.SUCCESS, note: killed ? 'killed after SIGTERM timed out' : 'stopped' };
  }

  async function validate(ctx: Ctx, scope: ValidationScope): Promise<void> {
    const v = ctx.params;
    const words = (name: 'additional_parameters' | 'config') => {
      try {
        return splitWords(v[name]);
      } catch (error) {
        throw new ConfigurationError(`parameter ${name}: ${(error as Error).message}`, { cause: error });
      }
    };
    words('additional_parameters');
    if (words('config').length === 0) throw new ConfigurationError('parameter config names no file');
    if (spec.check.kind === 'rpc' && v.transport_url) {
      try {
        parseTransportUrl(v.transport_url);
      } catch (error) {
        throw new ConfigurationError(`parameter transport_url: ${(error as Error).message}`, { cause: error });
      }
    }
    if (spec.check.kind === 'http') {
      try {
        new URL(urlOf(v));
      } catch (error) {
        throw new ConfigurationError(`parameter url: ${JSON.stringify(urlOf(v))} is not a URL`, { cause: error });
      }
      if (underUwsgi(v) && !/^[^\s]*:\d+$/.test(v.http_socket || 'x:0'))
        throw new ConfigurationError(`parameter http_socket: ${JSON.stringify(v.http_socket)} is not address:port`);
    }
    if (scope === 'parameters') return;
    assertExecutable('binary', binaryOf(v));
    if (!findAccount(v.user)) throw new NotInstalledError(`user ${v.user} does not exist`);
    for (const file of configFiles(v)) if (!existsSync(file)) throw new NotInstalledError(`config file ${file} does not exist`);
    if (underUwsgi(v) && !existsSync(v.uwsgi_ini)) throw new NotInstalledError(`uwsgi ini ${v.uwsgi_ini} does not exist`);
    if (spec.check.kind === 'http' && spec.check.authenticated && ctx.depth >= 10) {
      // validate-all at depth 10 proves the depth-10 monitor can log in: credentials found and readable.
      try {
        const resolved = monitorCredentials(v, spec.check);
        if (!resolved) throw noCredentials(v);
        tlsOptions(v, resolved.tls);
      } catch (error) {
        if (error instanceof OcfError) throw error;
        throw new ConfigurationError((error as Error).message, { cause: error });
      }
    }
  }

  const t = spec.timeouts ?? {};
  return defineAgent({
    name: spec.name,
    shortdesc: spec.shortdesc,
    longdesc: spec.longdesc,
    parameters,
    validate,
    actions: {
      start: { timeout: t.start ?? 60, run: start },
      stop: { timeout: t.stop ?? 60, run: stop },
      monitor: {
        timeout: t.monitor ?? 20,
        interval: t.interval ?? 10,
        depth: 0,
        run: monitor,
        also: [{ timeout: Math.max(t.monitor ?? 20, 30), interval: (t.interval ?? 10) * 6, depth: 10 }],
      },
      'reload-agent': { timeout: 20, run: async () => OCF.SUCCESS },
    },
  });
}
