/**
 * A private, real OpenStack control plane (Debian 12's Zed packages, no systemd) for the integration
 * tests of the OpenStack agents. The harness starts only what is not under test — MariaDB, RabbitMQ
 * (through the built rabbitmq agent) and placement — and prepares everything keystone, glance-api and
 * the nova services need: config files, schemas, keys, the catalog, and each agent's parameters.
 * Everything lives in one private directory; services run as their Debian accounts.
 */
import type { Channel } from 'amqplib';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { allProcesses, isLive, type ProcessInfo } from '../../shared/process/proc.ts';
import { findAccount, type Account } from '../../shared/process/users.ts';
import { freePort, sql, startLocalServer, type RunningServer } from './mariadb.ts';
import { brokerLayout, type BrokerLayout } from './rabbitmq.ts';
import { pacemakerEnv, runAgent } from './run-agent.ts';

const run = promisify(execFile);

/** Debian's uwsgi with the python3 plugin built in (the `uwsgi` alternative may point elsewhere). */
export const UWSGI = ['/usr/bin/uwsgi_python311', '/usr/bin/uwsgi_python3'].find(existsSync) ?? '/usr/bin/uwsgi_python3';
/** The password of the service users glance, nova and placement. */
export const SERVICE_PASSWORD = 'servicepass';
const REGION = 'RegionOne';
/** No pyenv or other python3 ahead of Debian's: the OpenStack tools need /usr/bin/python3's packages. */
const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

type ServiceUser = 'glance' | 'nova' | 'placement';
type AccountName = 'keystone' | ServiceUser;

interface CommonParams {
  readonly binary: string;
  readonly config: string;
  readonly user: string;
  readonly pid: string;
  readonly log: string;
}
type CredentialParams = 'os_auth_url' | 'os_username' | 'os_password' | 'os_project_name' | 'os_user_domain_name' | 'os_project_domain_name';
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
}

export interface OpenStackCloud {
  /** Private 0755 directory under os.tmpdir(): configs, state, logs and pid files of the whole cloud. */
  readonly dir: string;
  /** nova's [DEFAULT] host: its services consume scheduler.<host>, conductor.<host>, compute.<host>. */
  readonly host: string;
  readonly transportUrl: string;
  readonly admin: { readonly authUrl: string; readonly username: 'admin'; readonly password: string; readonly project: 'admin' };
  readonly ports: { readonly keystone: number; readonly glance: number; readonly nova: number; readonly placement: number; readonly novnc: number };
  readonly params: OpenStackParams;
  /** The private MariaDB (root over its socket with sql()); the services connect as os@127.0.0.1. */
  readonly database: RunningServer;
  /** The private RabbitMQ's layout: run the rabbitmq agent with its params to stop or restart it. */
  readonly broker: BrokerLayout;
  /** Seconds taken by each set-up step, and `total`. */
  readonly timings: Readonly<Record<string, number>>;
  /** After keystone answers: project service, users glance/nova/placement, services and endpoints. */
  registerCatalog(): Promise<void>;
  /** Starts placement under uwsgi (owned by the harness) and waits until GET / answers 200. */
  startPlacement(): Promise<void>;
  /** After nova-compute has started: maps its compute node into cell1 (nova-manage cell_v2 discover_hosts). */
  discoverHosts(): Promise<void>;
  /** A project-scoped token: admin on project admin, a service user on project service. */
  token(user: 'admin' | ServiceUser): Promise<string>;
  /** Consumers of an AMQP queue, or undefined if the queue does not exist. */
  consumers(queue: string): Promise<number | undefined>;
  /** Deletes an AMQP queue: its consumers are cancelled (oslo.messaging re-declares it on reconnect). */
  deleteQueue(queue: string): Promise<void>;
  /** Kills every process of this cloud, stops RabbitMQ and MariaDB, removes the directory. */
  remove(): Promise<void>;
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

function tailOf(file: string): string {
  try {
    return tail(readFileSync(file, 'utf8'));
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for every promise (nothing keeps running unobserved), then throws the first failure. */
async function all(promises: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}

function makeDir(path: string, owner?: Account, mode = 0o755): string {
  mkdirSync(path, { recursive: true });
  if (owner) chownSync(path, owner.uid, owner.gid);
  // mkdir's mode goes through the umask.
  chmodSync(path, mode);
  return path;
}

/** Root's file, readable by the service's group only: it holds passwords. */
function writeConfig(path: string, text: string, group: Account): string {
  writeFileSync(path, text);
  chownSync(path, 0, group.gid);
  chmodSync(path, 0o640);
  return path;
}

type Ini = Record<string, Record<string, string | number | boolean>>;

function iniText(ini: Ini): string {
  return Object.entries(ini)
    .map(([section, keys]) => [`[${section}]`, ...Object.entries(keys).map(([k, v]) => `${k} = ${String(v)}`), ''].join('\n'))
    .join('\n');
}

/** uwsgi ini: a list, because keys such as `env` repeat. */
function uwsgiText(lines: readonly (readonly [string, string | number | boolean])[]): string {
  return ['[uwsgi]', ...lines.map(([k, v]) => `${k} = ${String(v)}`), ''].join('\n');
}

function keystoneAuthtoken(authUrl: string, username: ServiceUser): Record<string, string> {
  return {
    www_authenticate_uri: authUrl,
    auth_url: authUrl,
    auth_type: 'password',
    project_domain_name: 'Default',
    user_domain_name: 'Default',
    project_name: 'service',
    username,
    password: SERVICE_PASSWORD,
    region_name: REGION,
  };
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
async function runLogged(as: Account | undefined, file: string, args: readonly string[], log: string, env: Record<string, string> = {}): Promise<string> {
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
  return allProcesses().filter((p) => p.pid !== process.pid && isLive(p) && (p.argv.some((a) => a === dir || a.includes(`${dir}/`)) || inside(cwdOf(p.pid))));
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

async function waitUntil(what: string, timeoutMs: number, ready: () => Promise<boolean>, failed: () => string | undefined = () => undefined): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const why = failed();
    if (why) throw new Error(`${what}: ${why}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`${what}: not ready after ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

async function answers200(url: string): Promise<boolean> {
  const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
  await r.arrayBuffer();
  return r.status === 200;
}

function idIn(body: unknown, key: string, what: string): string {
  const id = (body as Record<string, { id?: unknown } | undefined> | null)?.[key]?.id;
  if (typeof id !== 'string') throw new Error(`keystone answered ${what} without ${key}.id: ${tail(JSON.stringify(body), 300)}`);
  return id;
}

/** A project-scoped password token from keystone v3. */
async function issueToken(authUrl: string, username: string, password: string, project: string): Promise<string> {
  const body = {
    auth: {
      identity: { methods: ['password'], password: { user: { name: username, domain: { id: 'default' }, password } } },
      scope: { project: { name: project, domain: { id: 'default' } } },
    },
  };
  const r = await fetch(`${authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  await r.arrayBuffer();
  const token = r.headers.get('x-subject-token');
  if (r.status !== 201 || !token) throw new Error(`keystone gave ${username} no token (HTTP ${r.status})`);
  return token;
}

/** One short-lived AMQP channel to the private broker (guest, from 127.0.0.1). */
async function withChannel<T>(brokerParams: Readonly<Record<string, string>>, work: (channel: Channel) => Promise<T>): Promise<T> {
  const amqp = await import('amqplib');
  const connection = await amqp.connect({ protocol: 'amqp', hostname: '127.0.0.1', port: Number(brokerParams.node_port), username: 'guest', password: 'guest', vhost: '/', heartbeat: 0 });
  // A channel closed by the broker also emits 'error': the caller's promise already says what happened.
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    return await work(channel);
  } finally {
    await connection.close().catch(() => undefined);
  }
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
    const [keystonePort, glancePort, novaPort, placementPort, novncPort] = (await distinctPorts(5)) as [number, number, number, number, number];
    const ports = { keystone: keystonePort, glance: glancePort, nova: novaPort, placement: placementPort, novnc: novncPort };
    const host = `tsha-os-${ports.keystone}`;
    const dbPassword = randomBytes(12).toString('hex');
    const adminPassword = randomBytes(12).toString('hex');
    const authUrl = `http://127.0.0.1:${ports.keystone}/v3`;

    // Layout: root-owned configs; logs, pid files and state in per-account folders the service can write.
    const etc = makeDir(join(dir, 'etc'));
    const etcOf = { keystone: makeDir(join(etc, 'keystone')), glance: makeDir(join(etc, 'glance')), placement: makeDir(join(etc, 'placement')), nova: makeDir(join(etc, 'nova')) };
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
      const r = await runAgent('rabbitmq', 'start', pacemakerEnv(brokerParams, { OCF_RESOURCE_TYPE: 'rabbitmq', OCF_RESOURCE_INSTANCE: 'os-rabbit', OCF_RESKEY_CRM_meta_timeout: '120000' }));
      if (r.exitCode !== 0) throw new Error(`the rabbitmq agent did not start the broker (${r.exitCode}): ${tail(r.stderr)}`);
    });
    // Observed below; until then a failure must not count as unhandled.
    rabbitStarted.catch(() => undefined);
    pending = rabbitStarted;

    const databases = ['keystone', 'glance', 'placement', 'nova_api', 'nova', 'nova_cell0'];
    const db = await timed('mariadb', async () => {
      database = await startLocalServer();
      await sql(database.socket ?? '', [
        // Ten OpenStack processes with connection pools: far more than the instance's 20.
        'SET GLOBAL max_connections = 500',
        // Schema syncs are thousands of small DDL transactions: no fsync per commit in a throw-away DB.
        'SET GLOBAL innodb_flush_log_at_trx_commit = 0',
        `CREATE USER 'os'@'127.0.0.1' IDENTIFIED BY '${dbPassword}'`,
        ...databases.flatMap((name) => [`CREATE DATABASE ${name} CHARACTER SET utf8`, `GRANT ALL PRIVILEGES ON ${name}.* TO 'os'@'127.0.0.1'`]),
      ].join('; '));
      return database;
    });
    const dbUrl = (name: string) => `mysql+pymysql://os:${dbPassword}@127.0.0.1:${db.port}/${name}?charset=utf8`;

    // keystone: no log_file anywhere, so set-up tools log to their output and the app to uwsgi's log.
    const keystoneConf = writeConfig(join(etcOf.keystone, 'keystone.conf'), iniText({
      database: { connection: dbUrl('keystone') },
      // Fewest bcrypt rounds: every token a test asks for hashes the password once. bcrypt's own
      // limit as the maximum: else every hash warns that it truncates to 72.
      identity: { password_hash_rounds: 4, max_password_length: 72 },
      token: { provider: 'fernet' },
      fernet_tokens: { key_repository: join(keystoneState, 'fernet-keys') },
      fernet_receipts: { key_repository: join(keystoneState, 'fernet-keys') },
      credential: { key_repository: join(keystoneState, 'credential-keys') },
    }), accounts.keystone);
    // The agent adds --http-socket, --uid and --gid.
    /** One small uwsgi application: one worker, a few threads, the app loaded in the worker. */
    const uwsgiApp = (wsgiFile: string, env: string, log: string) => [
      ['wsgi-file', wsgiFile],
      ['env', env],
      ['master', true],
      ['processes', 1],
      ['threads', 4],
      ['lazy-apps', true],
      ['need-app', true],
      ['enable-threads', true],
      ['die-on-term', true],
      ['buffer-size', 65535],
      // uwsgi's http-socket closes every connection silently: clients must not reuse one (notes G2).
      ['add-header', 'Connection: close'],
      ['chdir', dir],
      ['logto', log],
    ] as const;
    const keystoneIni = writeConfig(join(etcOf.keystone, 'uwsgi.ini'), uwsgiText(
      uwsgiApp('/usr/bin/keystone-wsgi-public', `OS_KEYSTONE_CONFIG_FILES=${keystoneConf}`, join(logs.keystone, 'uwsgi.log')),
    ), accounts.keystone);

    const glanceConf = writeConfig(join(etcOf.glance, 'glance-api.conf'), iniText({
      // workers = 0: one process, no forked children.
      DEFAULT: { bind_host: '127.0.0.1', bind_port: ports.glance, workers: 0, image_cache_dir: join(glanceState, 'cache'), node_staging_uri: `file://${join(glanceState, 'staging')}` },
      database: { connection: dbUrl('glance') },
      paste_deploy: { flavor: 'keystone', config_file: '/etc/glance/glance-api-paste.ini' },
      glance_store: { stores: 'file,http', default_store: 'file', filesystem_store_datadir: join(glanceState, 'images') },
      keystone_authtoken: keystoneAuthtoken(authUrl, 'glance'),
      oslo_concurrency: { lock_path: join(glanceState, 'locks') },
      oslo_messaging_notifications: { driver: 'noop' },
    }), accounts.glance);

    const placementConf = writeConfig(join(etcOf.placement, 'placement.conf'), iniText({
      api: { auth_strategy: 'keystone' },
      placement_database: { connection: dbUrl('placement') },
      keystone_authtoken: keystoneAuthtoken(authUrl, 'placement'),
    }), accounts.placement);
    const placementIni = writeConfig(join(etcOf.placement, 'uwsgi.ini'), uwsgiText([
      ['http-socket', `127.0.0.1:${ports.placement}`],
      ['uid', 'placement'],
      ['gid', 'placement'],
      // The app reads placement.conf from this folder.
      ...uwsgiApp('/usr/bin/placement-api', `OS_PLACEMENT_CONFIG_DIR=${etcOf.placement}`, join(logs.placement, 'uwsgi.log')),
    ]), accounts.placement);

    // nova.conf has no DB credentials: nova-compute reads only this file (notes G5).
    const novaConf = writeConfig(join(etcOf.nova, 'nova.conf'), iniText({
      DEFAULT: {
        host,
        my_ip: '127.0.0.1',
        state_path: novaState,
        instances_path: join(novaState, 'instances'),
        transport_url: transportUrl,
        compute_driver: 'fake.FakeDriver',
        enabled_apis: 'osapi_compute',
        osapi_compute_listen: '127.0.0.1',
        osapi_compute_listen_port: ports.nova,
        osapi_compute_workers: 1,
        // The agents' depth-10 check calls oslo_rpc_server_ping on the service's own topic.
        rpc_ping_enabled: true,
        // A killed service shows `down` in os-services after 20 s, not 60.
        report_interval: 5,
        service_down_time: 20,
      },
      api: { auth_strategy: 'keystone' },
      wsgi: { api_paste_config: '/etc/nova/api-paste.ini' },
      conductor: { workers: 1 },
      scheduler: { workers: 1, discover_hosts_in_cells_interval: -1 },
      keystone_authtoken: keystoneAuthtoken(authUrl, 'nova'),
      placement: {
        auth_type: 'password', auth_url: authUrl, project_domain_name: 'Default', user_domain_name: 'Default', project_name: 'service',
        username: 'placement', password: SERVICE_PASSWORD, region_name: REGION, endpoint_override: `http://127.0.0.1:${ports.placement}`,
      },
      glance: { endpoint_override: `http://127.0.0.1:${ports.glance}` },
      vnc: {
        enabled: true, server_listen: '127.0.0.1', server_proxyclient_address: '127.0.0.1', novncproxy_host: '127.0.0.1',
        novncproxy_port: ports.novnc, novncproxy_base_url: `http://127.0.0.1:${ports.novnc}/vnc_auto.html`,
      },
      spice: { enabled: false },
      oslo_concurrency: { lock_path: join(novaState, 'locks') },
      oslo_messaging_notifications: { driver: 'noop' },
      // A consumer cancelled (its queue deleted) re-declares after this delay: 4 s (default 1, max 4.5)
      // leaves a monitor time to see the queue gone. It is also added to each reconnect interval.
      oslo_messaging_rabbit: { kombu_reconnect_delay: 4 },
    }), accounts.nova);
    const novaDbConf = writeConfig(join(etcOf.nova, 'nova-db.conf'), iniText({
      api_database: { connection: dbUrl('nova_api') },
      database: { connection: dbUrl('nova') },
    }), accounts.nova);

    // Schemas and keys, as their accounts (a root-owned lock or log file would lock the service out).
    const kc = ['--config-file', keystoneConf];
    const nc = ['--config-file', novaConf, '--config-file', novaDbConf];
    const catalogUrl = `${authUrl}/`;
    const step = (name: string, as: Account | undefined, file: string, args: readonly string[], env: Record<string, string> = {}) =>
      timed(name, () => runLogged(as, file, args, setupLog, env));
    await all([
      rabbitStarted,
      timed('keystone', () => all([
        (async () => {
          await step('keystone db_sync', accounts.keystone, 'keystone-manage', [...kc, 'db_sync']);
          await step('keystone bootstrap', accounts.keystone, 'keystone-manage', [...kc, 'bootstrap',
            '--bootstrap-username', 'admin', '--bootstrap-project-name', 'admin', '--bootstrap-role-name', 'admin',
            '--bootstrap-service-name', 'keystone', '--bootstrap-region-id', REGION,
            '--bootstrap-admin-url', catalogUrl, '--bootstrap-public-url', catalogUrl, '--bootstrap-internal-url', catalogUrl,
          ], { OS_BOOTSTRAP_PASSWORD: adminPassword });
        })(),
        // Root creates the repositories 0700 for keystone.
        step('keystone fernet_setup', undefined, 'keystone-manage', [...kc, 'fernet_setup', '--keystone-user', 'keystone', '--keystone-group', 'keystone']),
        step('keystone credential_setup', undefined, 'keystone-manage', [...kc, 'credential_setup', '--keystone-user', 'keystone', '--keystone-group', 'keystone']),
      ])),
      step('glance db_sync', accounts.glance, 'glance-manage', ['--config-file', glanceConf, 'db_sync']),
      step('placement db sync', accounts.placement, 'placement-manage', ['--config-file', placementConf, 'db', 'sync']),
      timed('nova', async () => {
        await step('nova api_db sync', accounts.nova, 'nova-manage', [...nc, 'api_db', 'sync']);
        // cell0's URL is [database] connection with _cell0 appended: nova_cell0.
        await step('nova map_cell0', accounts.nova, 'nova-manage', [...nc, 'cell_v2', 'map_cell0']);
        // db sync also syncs cell0 once it is mapped.
        await all([
          step('nova create_cell', accounts.nova, 'nova-manage', [...nc, 'cell_v2', 'create_cell', '--name', 'cell1', '--verbose']),
          step('nova db sync', accounts.nova, 'nova-manage', [...nc, 'db', 'sync']),
        ]);
      }),
    ]);
    timings.total = seconds(performance.now() - started);
    console.log(`openstack cloud in ${dir} set up in ${timings.total} s (${Object.entries(timings).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${v}`).join(', ')})`);

    const credentials = (username: string, password: string, project: string) => ({
      os_auth_url: authUrl, os_username: username, os_password: password, os_project_name: project, os_user_domain_name: 'Default', os_project_domain_name: 'Default',
    });
    const novaFiles = `${novaConf} ${novaDbConf}`;
    const novaService = (name: string) => ({ binary: `/usr/bin/${name}`, config: novaFiles, user: 'nova', pid: join(runs.nova, `${name}.pid`), log: join(logs.nova, `${name}.log`) });
    const rpc = { transport_url: transportUrl, host };
    const params: OpenStackParams = {
      keystone: {
        binary: UWSGI, uwsgi_ini: keystoneIni, http_socket: `127.0.0.1:${ports.keystone}`, config: keystoneConf, user: 'keystone',
        pid: join(runs.keystone, 'keystone.pid'), log: join(logs.keystone, 'keystone.log'), url: authUrl, ...credentials('admin', adminPassword, 'admin'),
      },
      glanceApi: {
        binary: '/usr/bin/glance-api', config: glanceConf, user: 'glance', pid: join(runs.glance, 'glance-api.pid'), log: join(logs.glance, 'glance-api.log'),
        url: `http://127.0.0.1:${ports.glance}/healthcheck`, ...credentials('glance', SERVICE_PASSWORD, 'service'),
      },
      novaApi: { ...novaService('nova-api'), url: `http://127.0.0.1:${ports.nova}/`, ...credentials('nova', SERVICE_PASSWORD, 'service') },
      novaScheduler: { ...novaService('nova-scheduler'), ...rpc },
      novaConductor: { ...novaService('nova-conductor'), ...rpc },
      novaCompute: { ...novaService('nova-compute'), config: novaConf, ...rpc },
      novaNovncproxy: { ...novaService('nova-novncproxy'), url: `http://127.0.0.1:${ports.novnc}/vnc_auto.html` },
    };

    const passwords: Record<'admin' | ServiceUser, string> = { admin: adminPassword, glance: SERVICE_PASSWORD, nova: SERVICE_PASSWORD, placement: SERVICE_PASSWORD };
    let catalogued = false;
    let placementStarted = false;
    const liveDatabase = db;
    const liveBroker = broker;
    const socket = liveDatabase.socket ?? '';
    return {
      dir,
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
        const token = await issueToken(authUrl, 'admin', adminPassword, 'admin');
        const call = async (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<unknown> => {
          const r = await fetch(`${authUrl}${path}`, {
            method,
            headers: { 'x-auth-token': token, 'content-type': 'application/json', accept: 'application/json' },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            signal: AbortSignal.timeout(30_000),
          });
          const text = await r.text();
          if (r.status >= 300) throw new Error(`keystone: ${method} ${path} answered HTTP ${r.status}: ${tail(text, 300)}`);
          return text === '' ? undefined : (JSON.parse(text) as unknown);
        };
        const [project, roles] = await Promise.all([
          call('POST', '/projects', { project: { name: 'service', domain_id: 'default', description: 'tsha test service users' } }),
          call('GET', '/roles?name=admin'),
        ]);
        const projectId = idIn(project, 'project', 'POST /projects');
        const roleId = (roles as { roles?: { id?: unknown }[] } | undefined)?.roles?.[0]?.id;
        if (typeof roleId !== 'string') throw new Error('keystone has no role admin: did bootstrap run?');
        const users: readonly ServiceUser[] = ['glance', 'nova', 'placement'];
        const services = [
          { name: 'glance', type: 'image', url: `http://127.0.0.1:${ports.glance}` },
          { name: 'nova', type: 'compute', url: `http://127.0.0.1:${ports.nova}/v2.1` },
          { name: 'placement', type: 'placement', url: `http://127.0.0.1:${ports.placement}` },
        ];
        await all([
          ...users.map(async (name) => {
            const user = await call('POST', '/users', { user: { name, password: SERVICE_PASSWORD, domain_id: 'default', default_project_id: projectId } });
            await call('PUT', `/projects/${projectId}/users/${idIn(user, 'user', 'POST /users')}/roles/${roleId}`);
          }),
          ...services.map(async ({ name, type, url }) => {
            const service = await call('POST', '/services', { service: { name, type, enabled: true } });
            const serviceId = idIn(service, 'service', 'POST /services');
            await all(['public', 'internal', 'admin'].map((iface) => call('POST', '/endpoints', { endpoint: { service_id: serviceId, interface: iface, url, region_id: REGION } })));
          }),
        ]);
        catalogued = true;
        timings.catalog = seconds(performance.now() - t);
      },

      async startPlacement() {
        // A second uwsgi could not bind the port; once is enough.
        if (placementStarted) return;
        placementStarted = true;
        const t = performance.now();
        const out = openSync(join(logs.placement, 'placement.out'), 'a');
        const child = spawn(UWSGI, ['--ini', placementIni], { detached: true, stdio: ['ignore', out, out], env: { PATH, LANG: 'C.UTF-8' }, cwd: dir });
        closeSync(out);
        let spawnError: string | undefined;
        child.on('error', (e) => (spawnError = e.message));
        child.unref();
        if (child.pid !== undefined) writeFileSync(join(runs.placement, 'placement.pid'), `${child.pid}\n`);
        await waitUntil(`placement on 127.0.0.1:${ports.placement}`, 60_000, () => answers200(`http://127.0.0.1:${ports.placement}/`), () =>
          spawnError ?? (child.exitCode !== null || child.signalCode !== null ? `uwsgi exited: ${tailOf(join(logs.placement, 'uwsgi.log'))}` : undefined));
        timings.placement = seconds(performance.now() - t);
      },

      async discoverHosts() {
        const t = performance.now();
        // discover_hosts maps compute nodes, which nova-compute records a moment after it consumes its queue.
        await waitUntil(`nova-compute on ${host} to record its compute node`, 60_000, async () =>
          Number(await sql(socket, `SELECT COUNT(*) FROM nova.compute_nodes WHERE host = '${host}' AND deleted = 0`)) > 0);
        await runLogged(accounts.nova, 'nova-manage', [...nc, 'cell_v2', 'discover_hosts', '--verbose'], setupLog);
        const mapped = await sql(socket, `SELECT COUNT(*) FROM nova_api.host_mappings WHERE host = '${host}'`);
        if (mapped !== '1') throw new Error(`discover_hosts did not map ${host} (${mapped} mappings): see ${setupLog}`);
        timings.discover_hosts = seconds(performance.now() - t);
      },

      async consumers(queue) {
        // A passive declare of a missing queue closes the channel with 404: that means no queue, not a failure.
        return withChannel(brokerParams, (channel) => channel.checkQueue(queue).then((q) => q.consumerCount, () => undefined));
      },

      async deleteQueue(queue) {
        await withChannel(brokerParams, (channel) => channel.deleteQueue(queue));
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
