/**
 * A private, real OpenStack control plane (Debian 12's Zed packages, no systemd) for the integration
 * tests of the OpenStack agents. The harness starts only what is not under test — MariaDB, RabbitMQ
 * (through the built rabbitmq agent) and placement — and prepares everything keystone, glance-api and
 * the nova services need: config files, schemas, keys, the catalog, and each agent's parameters.
 * Everything lives in one private directory; services run as their Debian accounts.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { allProcesses, isLive, type ProcessInfo } from '../../shared/process/proc.ts';
import { findAccount, type Account } from '../../shared/process/users.ts';
import { waitFor } from '../lab/lab.ts';
import { freePort, sql, startLocalServer, type RunningServer } from './mariadb.ts';
import { brokerLayout, queueConsumers, withChannel, type BrokerLayout } from './rabbitmq.ts';
import {
  all,
  glanceIni,
  iniText,
  issueToken,
  keystoneAuthtoken,
  keystoneIni,
  makeDir,
  novaDbIni,
  novaIni,
  registerCatalog,
  SERVICE_PASSWORD,
  setUpKeystone,
  setUpNova,
  uwsgiApp,
  uwsgiText,
  writeConfig,
  type ServiceUser,
  type SetupStep,
} from './openstack-config.ts';
import { pacemakerEnv } from './pacemaker-env.ts';
import { runAgent, type AgentResult } from './run-agent.ts';

export { SERVICE_PASSWORD } from './openstack-config.ts';

const run = promisify(execFile);

/** Debian's uwsgi with the python3 plugin built in (the `uwsgi` alternative may point elsewhere). */
export const UWSGI = ['/usr/bin/uwsgi_python311', '/usr/bin/uwsgi_python3'].find(existsSync) ?? '/usr/bin/uwsgi_python3';
/** No pyenv or other python3 ahead of Debian's: the OpenStack tools need /usr/bin/python3's packages. */
const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

type AccountName = 'keystone' | ServiceUser;

interface CommonParams {
  readonly binary: string;
  readonly config: string;
  readonly user: string;
  readonly pid: string;
  readonly log: string;
}
type CredentialParams =
  'os_auth_url' | 'os_username' | 'os_password' | 'os_project_name' | 'os_user_domain_name' | 'os_project_domain_name';
/** One agent's parameters (OCF_RESKEY_* without the prefix): the named ones are always there. */
export type AgentParams<Extra extends string = never> = CommonParams & { readonly [K in Extra]: string } & Readonly<Record<string, string>>;

export interface OpenStackParams {
  readonly keystone: AgentParams<'uwsgi_ini' | 'http_socket' | 'url' | CredentialParams>;
  readonly glanceApi: AgentParams<'url' | CredentialParams>;
  readonly novaApi: AgentParams<'url' | CredentialParams>;
  readonly novaScheduler: AgentParams<'transport_url' | 'host'>;
  readonly novaConductor: AgentParams<'transport_url' | 'host'>;
  readonly novaCompute: AgentParams<'transport_url' | 'host'>;
  readonly novaNovncproxy: AgentParams<'url'>;
  readonly placementApi: AgentParams<'uwsgi_ini' | 'http_socket' | 'url' | CredentialParams>;
}

export interface OpenStackCloud {
  /** Private 0755 directory under os.tmpdir(): configs, state, logs and pid files of the whole cloud. */
  readonly dir: string;
  /** The agents' state directory (HA_RSCTMP) on this cloud: the Keystone token cache lives there. */
  readonly stateDir: string;
  /** nova's [DEFAULT] host: its services consume scheduler.<host>, conductor.<host>, compute.<host>. */
  readonly host: string;
  readonly transportUrl: string;
  readonly admin: { readonly authUrl: string; readonly username: 'admin'; readonly password: string; readonly project: 'admin' };
  readonly ports: {
    readonly keystone: number;
    readonly glance: number;
    readonly nova: number;
    readonly placement: number;
    readonly novnc: number;
  };
  readonly params: OpenStackParams;
  /** The private MariaDB (root over its socket with sql()); the services connect as os@127.0.0.1. */
  readonly database: RunningServer;
  /** The private RabbitMQ's layout: run the rabbitmq agent with its params to stop or restart it. */
  readonly broker: BrokerLayout;
  /** Seconds taken by each set-up step, and `total`. */
  readonly timings: Readonly<Record<string, number>>;
  /** After keystone answers: project service, users glance/nova/placement, services and endpoints. */
  registerCatalog(): Promise<void>;
  /** Starts placement with the placement-api agent (nova-compute and the scheduler need it); once. */
  startPlacement(): Promise<void>;
  /** After nova-compute has started: maps its compute node into cell1 (nova-manage cell_v2 discover_hosts). */
  discoverHosts(): Promise<void>;
  /** A project-scoped token: admin on project admin, a service user on project service. */
  token(user: 'admin' | ServiceUser): Promise<string>;
  /** Consumers of an AMQP queue, or undefined if the queue does not exist. */
  consumers(queue: string): Promise<number | undefined>;
  /** Deletes an AMQP queue: its consumers are cancelled (oslo.messaging re-declares it on reconnect). */
  deleteQueue(queue: string): Promise<void>;
  /** What a failed test needs to be read from CI's tail: the services' last errors and who listens on each port. */
  diagnostics(): string;
  /** Kills every process of this cloud, stops RabbitMQ and MariaDB, removes the directory. */
  remove(): Promise<void>;
}

/**
 * Runs an agent on the cloud as Pacemaker would (parameters in the environment, a 120 s timeout unless
 * `extra` says otherwise), its state in the cloud's folder rather than this node's /run; the built
 * agent unless `executable` names another.
 */
export function runCloudAgent(
  cloud: Pick<OpenStackCloud, 'stateDir'>,
  agent: string,
  action: string,
  params: Record<string, string>,
  extra: Record<string, string> = {},
  executable?: string,
): Promise<AgentResult> {
  const env = pacemakerEnv(params, {
    OCF_RESOURCE_TYPE: agent,
    OCF_RESOURCE_INSTANCE: agent,
    OCF_RESKEY_CRM_meta_timeout: '120000',
    HA_RSCTMP: cloud.stateDir,
    ...extra,
  });
  return runAgent(agent, action, env, executable);
}

function account(name: AccountName): Account {
  const found = findAccount(name);
  if (!found) throw new Error(`the ${name} account is missing: install Debian's ${name} packages`);
  return found;
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function tail(text: string, chars = 1500): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

async function distinctPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * Runs a set-up command as `as` (root if undefined), its output appended to `log`; the failure message
 * carries the output's tail. Secrets go in env or config files, never in argv.
 */
async function runLogged(
  as: Account | undefined,
  file: string,
  args: readonly string[],
  log: string,
  env: Record<string, string> = {},
): Promise<string> {
  appendFileSync(log, `\n$ ${file} ${args.join(' ')}\n`);
  try {
    const { stdout, stderr } = await run(file, args, {
      env: { PATH, LANG: 'C.UTF-8', HOME: as?.home ?? process.env.HOME ?? '/root', ...env },
      timeout: 300_000,
      maxBuffer: 64 << 20,
      cwd: '/',
      ...(as ? { uid: as.uid, gid: as.gid } : {}),
    });
    appendFileSync(log, stdout + stderr);
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    appendFileSync(log, `${e.stdout ?? ''}${e.stderr ?? ''}`);
    throw new Error(`${file} ${args.join(' ')} failed: ${e.message.split('\n')[0]}\n${tail(`${e.stdout ?? ''}${e.stderr ?? ''}`)}`);
  }
}

function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** Processes of this cloud: an argument names a path in it (configs, ini) or it runs inside it. */
function cloudProcesses(dir: string): ProcessInfo[] {
  const inside = (path: string | undefined) => path !== undefined && (path === dir || path.startsWith(`${dir}/`));
  return allProcesses().filter(
    (p) => p.pid !== process.pid && isLive(p) && (p.argv.some((a) => a === dir || a.includes(`${dir}/`)) || inside(cwdOf(p.pid))),
  );
}

/** SIGKILL until none is left: a uwsgi master or oslo launcher may fork while it is being killed. */
function killCloud(dir: string): number[] {
  const killed: number[] = [];
  for (let round = 0; round < 50; round++) {
    const left = cloudProcesses(dir);
    if (left.length === 0) break;
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
        killed.push(p.pid);
      } catch {
        // already gone
      }
    }
    // Blocking on purpose: this also runs from the process 'exit' hook.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  return [...new Set(killed)];
}

const ERROR_LINE = /\b(ERROR|CRITICAL)\b|Traceback|Unauthorized|refused/;

/** The last error lines of every log of the cloud, and which of its processes are alive. */
function cloudDiagnostics(dir: string, ports: Readonly<Record<string, number>>, processes: readonly ProcessInfo[]): string {
  const parts: string[] = [];
  const logRoot = join(dir, 'log');
  for (const account of existsSync(logRoot) ? readdirSync(logRoot) : []) {
    for (const file of readdirSync(join(logRoot, account)).filter((f) => f.endsWith('.log'))) {
      let text: string;
      try {
        text = readFileSync(join(logRoot, account, file), 'utf8');
      } catch {
        continue;
      }
      const errors = text
        .split('\n')
        .filter((l) => ERROR_LINE.test(l))
        .slice(-3);
      if (errors.length > 0) parts.push(`${account}/${file}: ${errors.map((l) => l.slice(0, 300)).join(' / ')}`);
    }
  }
  const names = processes.map(
    (p) => `${p.pid}:${(p.argv[0] ?? '?').split('/').pop()}${p.argv[1]?.startsWith('/usr/bin/') ? `(${p.argv[1].split('/').pop()})` : ''}`,
  );
  parts.push(`ports ${JSON.stringify(ports)}; live processes: ${names.join(' ')}`);
  try {
    // Who holds each port: a service of this cloud, or something else answering in its place.
    const listening = execFileSync('ss', ['-Hltnp'], { encoding: 'utf8', timeout: 5000 })
      .split('\n')
      .filter((l) => Object.values(ports).some((port) => l.includes(`:${port} `)));
    parts.push(`listening: ${listening.map((l) => l.replace(/\s+/g, ' ')).join(' / ')}`);
  } catch (error) {
    parts.push(`ss failed: ${(error as Error).message.split('\n')[0]}`);
  }
  return parts.join(' | ');
}

export async function openstackCloud(): Promise<OpenStackCloud> {
  const started = performance.now();
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = seconds(performance.now() - t);
    }
  };
  const accounts = { keystone: account('keystone'), glance: account('glance'), nova: account('nova'), placement: account('placement') };

  const dir = mkdtempSync(join(tmpdir(), 'tsha-os-'));
  chmodSync(dir, 0o755);
  let database: RunningServer | undefined;
  let broker: BrokerLayout | undefined;
  let pending: Promise<unknown> = Promise.resolve();
  const teardownSync = () => {
    killCloud(dir);
    broker?.remove();
    // stop() does its work synchronously (kill by pid file, rm), so this is safe in an 'exit' hook.
    void database?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  // A test run that dies without afterAll must not leave ten daemons behind.
  process.once('exit', teardownSync);

  try {
    const [keystonePort, glancePort, novaPort, placementPort, novncPort] = (await distinctPorts(5)) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const ports = { keystone: keystonePort, glance: glancePort, nova: novaPort, placement: placementPort, novnc: novncPort };
    const host = `tsha-os-${ports.keystone}`;
    const dbPassword = randomBytes(12).toString('hex');
    const adminPassword = randomBytes(12).toString('hex');
    const authUrl = `http://127.0.0.1:${ports.keystone}/v3`;

    // Layout: root-owned configs; logs, pid files and state in per-account folders the service can write.
    const etc = makeDir(join(dir, 'etc'));
    const etcOf = {
      keystone: makeDir(join(etc, 'keystone')),
      glance: makeDir(join(etc, 'glance')),
      placement: makeDir(join(etc, 'placement')),
      nova: makeDir(join(etc, 'nova')),
    };
    makeDir(join(dir, 'log'));
    makeDir(join(dir, 'run'));
    const logOf = (a: AccountName) => makeDir(join(dir, 'log', a), accounts[a]);
    const runOf = (a: AccountName) => makeDir(join(dir, 'run', a), accounts[a]);
    const logs = { keystone: logOf('keystone'), glance: logOf('glance'), placement: logOf('placement'), nova: logOf('nova') };
    const runs = { keystone: runOf('keystone'), glance: runOf('glance'), placement: runOf('placement'), nova: runOf('nova') };
    const setupLog = join(makeDir(join(dir, 'log', 'setup')), 'setup.log');
    const keystoneState = makeDir(join(dir, 'keystone'), accounts.keystone);
    const glanceState = makeDir(join(dir, 'glance'), accounts.glance);
    for (const sub of ['images', 'staging', 'cache', 'locks']) makeDir(join(glanceState, sub), accounts.glance);
    const novaState = makeDir(join(dir, 'nova'), accounts.nova);
    for (const sub of ['instances', 'locks']) makeDir(join(novaState, sub), accounts.nova);

    // RabbitMQ (Erlang boot, ~5 s) comes up while the schemas are created: only the services need it.
    broker = await brokerLayout();
    const brokerParams = broker.params;
    const transportUrl = `rabbit://guest:guest@127.0.0.1:${brokerParams.node_port}/`;
    const rabbitStarted = timed('rabbitmq', async () => {
      const r = await runAgent(
        'rabbitmq',
        'start',
        pacemakerEnv(brokerParams, {
          OCF_RESOURCE_TYPE: 'rabbitmq',
          OCF_RESOURCE_INSTANCE: 'os-rabbit',
          OCF_RESKEY_CRM_meta_timeout: '120000',
        }),
      );
      if (r.exitCode !== 0) throw new Error(`the rabbitmq agent did not start the broker (${r.exitCode}): ${tail(r.stderr)}`);
    });
    // Observed below; until then a failure must not count as unhandled.
    rabbitStarted.catch(() => undefined);
    pending = rabbitStarted;

    const databases = ['keystone', 'glance', 'placement', 'nova_api', 'nova', 'nova_cell0'];
    const db = await timed('mariadb', async () => {
      database = await startLocalServer();
      await sql(
        database.socket ?? '',
        [
          // Ten OpenStack processes with connection pools: far more than the instance's 20.
          'SET GLOBAL max_connections = 500',
          // Schema syncs are thousands of small DDL transactions: no fsync per commit in a throw-away DB.
          'SET GLOBAL innodb_flush_log_at_trx_commit = 0',
          `CREATE USER 'os'@'127.0.0.1' IDENTIFIED BY '${dbPassword}'`,
          ...databases.flatMap((name) => [
            `CREATE DATABASE ${name} CHARACTER SET utf8`,
            `GRANT ALL PRIVILEGES ON ${name}.* TO 'os'@'127.0.0.1'`,
          ]),
        ].join('; '),
      );
      return database;
    });
    const dbUrl = (name: string) => `mysql+pymysql://os:${dbPassword}@127.0.0.1:${db.port}/${name}?charset=utf8`;

    const keystoneConf = writeConfig(
      join(etcOf.keystone, 'keystone.conf'),
      iniText(keystoneIni({ dbUrl: dbUrl('keystone'), keyDir: keystoneState })),
      accounts.keystone,
    );
    // The agent adds --http-socket, --uid and --gid.
    const keystoneUwsgi = writeConfig(
      join(etcOf.keystone, 'uwsgi.ini'),
      uwsgiText(
        uwsgiApp('/usr/bin/keystone-wsgi-public', `OS_KEYSTONE_CONFIG_FILES=${keystoneConf}`, dir, join(logs.keystone, 'uwsgi.log')),
      ),
      accounts.keystone,
    );

    const glanceConf = writeConfig(
      join(etcOf.glance, 'glance-api.conf'),
      iniText(glanceIni({ bind: '127.0.0.1', port: ports.glance, dbUrl: dbUrl('glance'), authUrl, state: glanceState })),
      accounts.glance,
    );
    // Under uwsgi, glance-wsgi-api reads its paste ini from the folder of glance-api.conf.
    symlinkSync('/etc/glance/glance-api-paste.ini', join(etcOf.glance, 'glance-api-paste.ini'));

    const placementConf = writeConfig(
      join(etcOf.placement, 'placement.conf'),
      iniText({
        api: { auth_strategy: 'keystone' },
        placement_database: { connection: dbUrl('placement') },
        keystone_authtoken: keystoneAuthtoken(authUrl, 'placement'),
      }),
      accounts.placement,
    );
    // The placement-api agent adds --http-socket, --uid and --gid, and tells the app its config folder.
    const placementIni = writeConfig(
      join(etcOf.placement, 'uwsgi.ini'),
      uwsgiText(uwsgiApp('/usr/bin/placement-api', `OS_PLACEMENT_CONFIG_DIR=${etcOf.placement}`, dir, join(logs.placement, 'uwsgi.log'))),
      accounts.placement,
    );

    const novaConf = writeConfig(
      join(etcOf.nova, 'nova.conf'),
      iniText(
        novaIni({
          host,
          myIp: '127.0.0.1',
          bind: '127.0.0.1',
          port: ports.nova,
          transportUrl,
          state: novaState,
          authUrl,
          glanceUrl: `http://127.0.0.1:${ports.glance}`,
          placementUrl: `http://127.0.0.1:${ports.placement}`,
          novnc: { bind: '127.0.0.1', port: ports.novnc, baseUrl: `http://127.0.0.1:${ports.novnc}/vnc_auto.html` },
        }),
      ),
      accounts.nova,
    );
    const novaDbConf = writeConfig(join(etcOf.nova, 'nova-db.conf'), iniText(novaDbIni(dbUrl)), accounts.nova);

    // Schemas and keys, as their accounts (a root-owned lock or log file would lock the service out).
    const nc = ['--config-file', novaConf, '--config-file', novaDbConf];
    const catalogUrl = `${authUrl}/`;
    const step: SetupStep = (name, as, file, args, env = {}) => timed(name, () => runLogged(as, file, args, setupLog, env));
    await all([
      rabbitStarted,
      timed('keystone', () => setUpKeystone(step, { conf: keystoneConf, keystone: accounts.keystone, adminPassword, catalogUrl })),
      step('glance db_sync', accounts.glance, 'glance-manage', ['--config-file', glanceConf, 'db_sync']),
      step('placement db sync', accounts.placement, 'placement-manage', ['--config-file', placementConf, 'db', 'sync']),
      timed('nova', () => setUpNova(step, { confs: [novaConf, novaDbConf], nova: accounts.nova })),
    ]);
    timings.total = seconds(performance.now() - started);
    console.log(
      `openstack cloud in ${dir} set up in ${timings.total} s (${Object.entries(timings)
        .filter(([k]) => k !== 'total')
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );

    const credentials = (username: string, password: string, project: string) => ({
      os_auth_url: authUrl,
      os_username: username,
      os_password: password,
      os_project_name: project,
      os_user_domain_name: 'Default',
      os_project_domain_name: 'Default',
    });
    const novaFiles = `${novaConf} ${novaDbConf}`;
    const novaService = (name: string) => ({
      binary: `/usr/bin/${name}`,
      config: novaFiles,
      user: 'nova',
      pid: join(runs.nova, `${name}.pid`),
      log: join(logs.nova, `${name}.log`),
    });
    const rpc = { transport_url: transportUrl, host };
    const params: OpenStackParams = {
      keystone: {
        binary: UWSGI,
        uwsgi_ini: keystoneUwsgi,
        http_socket: `127.0.0.1:${ports.keystone}`,
        config: keystoneConf,
        user: 'keystone',
        pid: join(runs.keystone, 'keystone.pid'),
        log: join(logs.keystone, 'keystone.log'),
        url: authUrl,
        ...credentials('admin', adminPassword, 'admin'),
      },
      glanceApi: {
        binary: '/usr/bin/glance-api',
        config: glanceConf,
        user: 'glance',
        pid: join(runs.glance, 'glance-api.pid'),
        log: join(logs.glance, 'glance-api.log'),
        url: `http://127.0.0.1:${ports.glance}/healthcheck`,
        ...credentials('glance', SERVICE_PASSWORD, 'service'),
      },
      novaApi: { ...novaService('nova-api'), url: `http://127.0.0.1:${ports.nova}/`, ...credentials('nova', SERVICE_PASSWORD, 'service') },
      novaScheduler: { ...novaService('nova-scheduler'), ...rpc },
      novaConductor: { ...novaService('nova-conductor'), ...rpc },
      novaCompute: { ...novaService('nova-compute'), config: novaConf, ...rpc },
      novaNovncproxy: { ...novaService('nova-novncproxy'), url: `http://127.0.0.1:${ports.novnc}/vnc_auto.html` },
      placementApi: {
        binary: UWSGI,
        uwsgi_ini: placementIni,
        http_socket: `127.0.0.1:${ports.placement}`,
        config: placementConf,
        user: 'placement',
        pid: join(runs.placement, 'placement-api.pid'),
        log: join(logs.placement, 'placement-api.log'),
        url: `http://127.0.0.1:${ports.placement}/`,
        ...credentials('placement', SERVICE_PASSWORD, 'service'),
      },
    };

    const passwords: Record<'admin' | ServiceUser, string> = {
      admin: adminPassword,
      glance: SERVICE_PASSWORD,
      nova: SERVICE_PASSWORD,
      placement: SERVICE_PASSWORD,
    };
    let catalogued = false;
    let placementStarted = false;
    const liveDatabase = db;
    const liveBroker = broker;
    const socket = liveDatabase.socket ?? '';
    return {
      dir,
      stateDir: join(dir, 'rsctmp'),
      host,
      transportUrl,
      admin: { authUrl, username: 'admin', password: adminPassword, project: 'admin' },
      ports,
      params,
      database: liveDatabase,
      broker: liveBroker,
      timings,

      token(user) {
        return issueToken(authUrl, user, passwords[user], user === 'admin' ? 'admin' : 'service');
      },

      async registerCatalog() {
        if (catalogued) return;
        const t = performance.now();
        await registerCatalog(authUrl, await issueToken(authUrl, 'admin', adminPassword, 'admin'), [
          { name: 'glance', type: 'image', url: `http://127.0.0.1:${ports.glance}` },
          { name: 'nova', type: 'compute', url: `http://127.0.0.1:${ports.nova}/v2.1` },
          { name: 'placement', type: 'placement', url: `http://127.0.0.1:${ports.placement}` },
        ]);
        catalogued = true;
        timings.catalog = seconds(performance.now() - t);
      },

      async startPlacement() {
        if (placementStarted) return;
        const t = performance.now();
        const r = await runAgent(
          'placement-api',
          'start',
          pacemakerEnv(params.placementApi, {
            OCF_RESOURCE_TYPE: 'placement-api',
            OCF_RESOURCE_INSTANCE: 'placement-api',
            OCF_RESKEY_CRM_meta_timeout: '120000',
          }),
        );
        if (r.exitCode !== 0) throw new Error(`the placement-api agent did not start placement (${r.exitCode}): ${tail(r.stderr)}`);
        placementStarted = true;
        timings.placement = seconds(performance.now() - t);
      },

      async discoverHosts() {
        const t = performance.now();
        // discover_hosts maps compute nodes, which nova-compute records a moment after it consumes its queue.
        await waitFor(
          `nova-compute on ${host} to record its compute node`,
          60_000,
          async () =>
            Number(await sql(socket, `SELECT COUNT(*) FROM nova.compute_nodes WHERE host = '${host}' AND deleted = 0`).catch(() => '0')) > 0
              ? true
              : undefined,
          200,
        );
        await runLogged(accounts.nova, 'nova-manage', [...nc, 'cell_v2', 'discover_hosts', '--verbose'], setupLog);
        const mapped = await sql(socket, `SELECT COUNT(*) FROM nova_api.host_mappings WHERE host = '${host}'`);
        if (mapped !== '1') throw new Error(`discover_hosts did not map ${host} (${mapped} mappings): see ${setupLog}`);
        timings.discover_hosts = seconds(performance.now() - t);
      },

      async consumers(queue) {
        return queueConsumers(brokerParams, queue);
      },

      async deleteQueue(queue) {
        await withChannel(brokerParams, (channel) => channel.deleteQueue(queue));
      },

      diagnostics() {
        return cloudDiagnostics(dir, { ...ports, mariadb: db.port, rabbitmq: Number(brokerParams.node_port) }, cloudProcesses(dir));
      },

      async remove() {
        process.off('exit', teardownSync);
        killCloud(dir);
        liveBroker.remove();
        await liveDatabase.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    // The broker's start may still be under way: let it end before it is killed.
    await pending.catch(() => undefined);
    process.off('exit', teardownSync);
    teardownSync();
    throw error;
  }
}
