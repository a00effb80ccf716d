/**
 * The seed's OpenStack control plane in the lab, on top of the MySQL master/slave set and its VIP:
 * RabbitMQ, the Keystone group (VIP + keystone under uwsgi), the Glance group (VIP, objectstore, api,
 * registry), nova-api and nova-network cloned, consoleauth + cert + scheduler grouped, all ordered after
 * Keystone as in the seed; placement (which the seed predates and the scheduler needs) cloned. Configs, keys and images live on the shared disk; logs and RabbitMQ's data
 * in each node's /srv/node. Services no packaged release has any more run as stand-ins
 * (test/support/standin-rpc-service.ts).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findAccount, type Account } from '../../shared/process/users.ts';
import {
  glanceIni,
  iniText,
  keystoneAuthtoken,
  keystoneIni,
  makeDir,
  novaDbIni,
  novaIni,
  setUpKeystone,
  setUpNova,
  uwsgiApp,
  uwsgiText,
  writeConfig,
  type SetupStep,
} from '../support/openstack-config.ts';
import { UWSGI } from '../support/openstack.ts';
import { writeHttpStandIn, writeStandIn } from '../support/standin-rpc-service.ts';
import { controlPlaneCrm, type Layout, type ServiceParams } from './control-plane-crm.ts';
import { fenceCrm } from './mysql-setup.ts';
import { masterSlaveCrm, prepareReplicas, promotedDb, REPLICA_PARAMS, setMasterAddresses, unpromotedDb } from './replication-setup.ts';
import { runInClientNamespace, type ClientRun } from './client.ts';
import { runningOn, waitFor, type ClusterStatus, type CommandResult, type Lab } from './lab.ts';

export const OS_DB_PASSWORD = 'os-db-secret';
export const ADMIN_PASSWORD = 'admin-secret';
const DATABASES = ['keystone', 'glance', 'placement', 'nova_api', 'nova', 'nova_cell0'];

/** The VIPs of the control plane, beside the database's (lab.vip). */
export function controlPlaneVips(lab: Lab): { rabbit: string; keystone: string; glance: string; nova: string } {
  return { rabbit: `${lab.subnet}.101`, keystone: `${lab.subnet}.102`, glance: `${lab.subnet}.103`, nova: `${lab.subnet}.104` };
}

/** The SQL that prepareReplicas runs on the initial datadir: the services' account and databases. */
export function openstackSql(): string[] {
  return [
    `CREATE USER 'os'@'%' IDENTIFIED BY '${OS_DB_PASSWORD}'`,
    ...DATABASES.flatMap((name) => [`CREATE DATABASE ${name} CHARACTER SET utf8`, `GRANT ALL PRIVILEGES ON ${name}.* TO 'os'@'%'`]),
  ];
}

function account(name: string): Account {
  const found = findAccount(name);
  if (!found) throw new Error(`account ${name} missing: install Debian's OpenStack packages`);
  return found;
}

export interface ControlPlane {
  readonly layout: Layout;
  /**
   * The crm configuration above the database, in two steps: RabbitMQ and the Keystone group, then —
   * once the service users exist — everything that authenticates against Keystone.
   */
  readonly crm: { readonly keystone: string; readonly services: string };
  /** Base URLs through the VIPs, for the client. */
  readonly urls: { readonly keystone: string; readonly glance: string; readonly nova: string };
  readonly timings: Readonly<Record<string, number>>;
}

/**
 * Writes the configs, creates the schemas and keys from `primary` (the node holding the database VIP),
 * and returns the crm text that runs the services.
 */
export async function prepareControlPlane(lab: Lab, primary: string, layout: Layout = 'seed'): Promise<ControlPlane> {
  const accounts = {
    keystone: account('keystone'),
    glance: account('glance'),
    nova: account('nova'),
    placement: account('placement'),
    rabbitmq: account('rabbitmq'),
  };
  const vips = controlPlaneVips(lab);
  const dir = makeDir(join(lab.sharedDir, 'openstack'));
  const etc = makeDir(join(dir, 'etc'));
  const bin = makeDir(join(dir, 'bin'));
  const keystoneState = makeDir(join(dir, 'keystone'), accounts.keystone);
  const glanceState = makeDir(join(dir, 'glance'), accounts.glance);
  for (const sub of ['images', 'staging', 'cache', 'locks']) makeDir(join(glanceState, sub), accounts.glance);
  const novaState = makeDir(join(dir, 'nova'), accounts.nova);
  for (const sub of ['instances', 'locks']) makeDir(join(novaState, sub), accounts.nova);
  // Each node's own logs and broker data, seen inside the node as /srv/node/...
  for (const node of lab.names) {
    const own = join(lab.nodeDir(node), 'srv-node');
    for (const a of ['keystone', 'glance', 'nova', 'placement'] as const) makeDir(join(own, 'log', a), accounts[a]);
    makeDir(join(own, 'rabbitmq'), accounts.rabbitmq);
  }
  const log = (a: string, file: string) => join('/srv/node/log', a, file);

  const authUrl = `http://${vips.keystone}:5000/v3`;
  const transportUrl = `rabbit://guest:guest@${vips.rabbit}:5672/`;
  const dbUrl = (name: string) => `mysql+pymysql://os:${OS_DB_PASSWORD}@${lab.vip}:3306/${name}?charset=utf8`;

  const keystoneConf = writeConfig(
    join(etc, 'keystone.conf'),
    iniText(keystoneIni({ dbUrl: dbUrl('keystone'), keyDir: keystoneState })),
    accounts.keystone,
  );
  const keystoneUwsgi = writeConfig(
    join(etc, 'keystone-uwsgi.ini'),
    uwsgiText(uwsgiApp('/usr/bin/keystone-wsgi-public', `OS_KEYSTONE_CONFIG_FILES=${keystoneConf}`, dir, log('keystone', 'uwsgi.log'))),
    accounts.keystone,
  );
  const glanceConf = writeConfig(
    join(etc, 'glance-api.conf'),
    iniText(glanceIni({ bind: '0.0.0.0', port: 9292, dbUrl: dbUrl('glance'), authUrl, state: glanceState })),
    accounts.glance,
  );
  // No [DEFAULT] host: each node's nova services use the node's name, as on real controllers.
  const novaConf = writeConfig(
    join(etc, 'nova.conf'),
    iniText(
      novaIni({
        myIp: vips.nova,
        bind: '0.0.0.0',
        port: 8774,
        transportUrl,
        state: novaState,
        authUrl,
        glanceUrl: `http://${vips.glance}:9292`,
        // nova-scheduler asks placement for its version when it starts: the node's own placement-api.
        placementUrl: 'http://127.0.0.1:8778',
      }),
    ),
    accounts.nova,
  );
  const novaDbConf = writeConfig(join(etc, 'nova-db.conf'), iniText(novaDbIni(dbUrl)), accounts.nova);
  const placementConf = writeConfig(
    join(etc, 'placement.conf'),
    iniText({
      api: { auth_strategy: 'keystone' },
      placement_database: { connection: dbUrl('placement') },
      keystone_authtoken: keystoneAuthtoken(authUrl, 'placement'),
    }),
    accounts.placement,
  );
  const placementUwsgi = writeConfig(
    join(etc, 'placement-uwsgi.ini'),
    uwsgiText(uwsgiApp('/usr/bin/placement-api', `OS_PLACEMENT_CONFIG_DIR=${etc}`, dir, log('placement', 'uwsgi.log'))),
    accounts.placement,
  );
  // The stand-ins' configs: the grouped legacy services share one host name wherever they run;
  // nova-network, cloned, consumes network.<node>.
  const legacyConf = writeConfig(
    join(etc, 'nova-legacy.conf'),
    iniText({ DEFAULT: { transport_url: transportUrl, host: 'controller', rpc_ping_enabled: true } }),
    accounts.nova,
  );
  const networkConf = writeConfig(
    join(etc, 'nova-network.conf'),
    iniText({ DEFAULT: { transport_url: transportUrl, rpc_ping_enabled: true } }),
    accounts.nova,
  );
  const registryConf = writeConfig(join(etc, 'glance-registry.conf'), iniText({ DEFAULT: { bind_port: 9191 } }), accounts.glance);
  const objectstoreConf = writeConfig(join(etc, 'nova-objectstore.conf'), iniText({ DEFAULT: { bind_port: 3333 } }), accounts.nova);
  const rabbitConf = join(dir, 'rabbitmq.conf');
  writeFileSync(rabbitConf, 'loopback_users = none\n');
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  const standIn = {
    consoleauth: writeStandIn(bin, 'nova-consoleauth'),
    cert: writeStandIn(bin, 'nova-cert'),
    network: writeStandIn(bin, 'nova-network'),
    registry: writeHttpStandIn(bin, 'glance-registry'),
    objectstore: writeHttpStandIn(bin, 'nova-objectstore'),
  };

  // Schemas and keys, run on the node that holds the database VIP, as the services' accounts.
  const timings: Record<string, number> = {};
  const step: SetupStep = async (name, as, file, args, env = {}) => {
    const t = Date.now();
    const argv = as ? ['setpriv', `--reuid=${as.uid}`, `--regid=${as.gid}`, '--init-groups', file, ...args] : [file, ...args];
    try {
      return await lab.mustExec(primary, argv, 300_000, { HOME: as?.home ?? '/root', ...env });
    } finally {
      timings[name] = (Date.now() - t) / 1000;
    }
  };
  const t0 = Date.now();
  await Promise.all([
    setUpKeystone(step, { conf: keystoneConf, keystone: accounts.keystone, adminPassword: ADMIN_PASSWORD, catalogUrl: `${authUrl}/` }),
    step('glance db_sync', accounts.glance, 'glance-manage', ['--config-file', glanceConf, 'db_sync']),
    step('placement db sync', accounts.placement, 'placement-manage', ['--config-file', placementConf, 'db', 'sync']),
    setUpNova(step, { confs: [novaConf, novaDbConf], nova: accounts.nova }),
  ]);
  timings.total = (Date.now() - t0) / 1000;

  const services: ServiceParams = {
    rabbit:
      `config_file=${rabbitConf} enabled_plugins_file=${join(dir, 'enabled_plugins')} ` +
      'mnesia_base=/srv/node/rabbitmq/mnesia log_base=/srv/node/rabbitmq/log',
    keystone:
      `binary=${UWSGI} uwsgi_ini=${keystoneUwsgi} http_socket=0.0.0.0:5000 config=${keystoneConf} ` +
      `url=http://127.0.0.1:5000/v3 os_username=admin os_password=${ADMIN_PASSWORD} os_project_name=admin log=${log('keystone', 'keystone-ocf.log')}`,
    objectstore: `binary=${standIn.objectstore} config=${objectstoreConf} url=http://127.0.0.1:3333/ log=${log('nova', 'objectstore.log')}`,
    // No os_* parameters: depth 10 logs in with glance's own [keystone_authtoken] account.
    glanceApi: `config=${glanceConf} url=http://127.0.0.1:9292/healthcheck log=${log('glance', 'glance-api.log')}`,
    glanceRegistry: `binary=${standIn.registry} config=${registryConf} url=http://127.0.0.1:9191/ log=${log('glance', 'registry.log')}`,
    novaApi: `config="${novaConf} ${novaDbConf}" url=http://127.0.0.1:8774/ log=${log('nova', 'nova-api.log')}`,
    placement:
      `binary=${UWSGI} uwsgi_ini=${placementUwsgi} http_socket=0.0.0.0:8778 config=${placementConf} ` +
      `url=http://127.0.0.1:8778/ log=${log('placement', 'placement-ocf.log')}`,
    novaNetwork: `binary=${standIn.network} config=${networkConf} log=${log('nova', 'network.log')}`,
    consoleauth: `binary=${standIn.consoleauth} config=${legacyConf} log=${log('nova', 'consoleauth.log')}`,
    cert: `binary=${standIn.cert} config=${legacyConf} log=${log('nova', 'cert.log')}`,
    scheduler: `config="${novaConf} ${novaDbConf}" log=${log('nova', 'nova-scheduler.log')}`,
  };
  const crm = controlPlaneCrm(layout, {
    fence: lab.stonith ? fenceCrm(lab) : '',
    database: `${REPLICA_PARAMS} semi_sync=true`,
    nodes: lab.names.length,
    vips: { db: lab.vip, ...vips },
    nic: 'eth0',
    cidrNetmask: 24,
    services,
  });
  return {
    layout,
    crm: { keystone: crm.keystone, services: crm.services },
    urls: { keystone: authUrl, glance: `http://${vips.glance}:9292`, nova: `http://${vips.nova}:8774` },
    timings,
  };
}

/** The control plane's resources above the database, by kind (clones run on every node). */
export const CONTROL_PLANE = {
  services: ['rabbit', 'keystone', 'nova_objectstore', 'glance_api', 'glance_registry', 'nova_consoleauth', 'nova_cert', 'nova_scheduler'],
  vips: ['vip_rabbit', 'vip_keystone', 'vip_glance', 'vip_nova'],
  cloned: ['nova_api', 'nova_network', 'placement'],
} as const;

/** Every control-plane resource runs somewhere (on `node`, when given). */
export function controlPlaneRunning(s: ClusterStatus, node?: string): boolean {
  return [...CONTROL_PLANE.services, ...CONTROL_PLANE.vips, ...CONTROL_PLANE.cloned].every((id) =>
    node ? runningOn(s, id).includes(node) : runningOn(s, id).length > 0,
  );
}

/** The services each layout clones on every controller (the rest run once, with their VIPs). */
const CLONED: Record<Layout, readonly string[]> = {
  seed: CONTROL_PLANE.cloned,
  'seed-tuned': CONTROL_PLANE.cloned,
  'active-active': [...CONTROL_PLANE.cloned, ...CONTROL_PLANE.services.filter((id) => id !== 'rabbit')],
};

/**
 * The whole plane back in place after a node rejoined: the database promoted once and replicating on
 * every other node, every VIP and service running, every clone on every node, no failed action left.
 */
export function controlPlaneSettled(s: ClusterStatus, nodes: readonly string[], layout: Layout): boolean {
  const promoted = promotedDb(s);
  const unpromoted = unpromotedDb(s);
  return (
    promoted.length === 1 &&
    unpromoted.length === nodes.length - 1 &&
    controlPlaneRunning(s) &&
    CLONED[layout].every((id) => nodes.every((n) => runningOn(s, id).includes(n)))
  );
}

const CLIENT_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'control-plane-client.ts');

/** The client's addresses and password, in its environment (never argv). */
function clientEnv(plane: ControlPlane): Record<string, string> {
  return { KEYSTONE_URL: plane.urls.keystone, GLANCE_URL: plane.urls.glance, NOVA_URL: plane.urls.nova, ADMIN_PASSWORD };
}

/** control-plane-client.ts in the lab's client namespace, addresses and password in its environment. */
export function controlPlaneClient(lab: Lab, plane: ControlPlane): (mode: 'catalog' | 'check') => Promise<CommandResult> {
  return (mode) => lab.client([process.execPath, CLIENT_SCRIPT, mode], 60_000, clientEnv(plane));
}

/** The client's check again and again (overlapping when one hangs) for `seconds` in the background ("ok <answered> <started>" / "fail <started> <what>" lines). */
export function watchControlPlane(lab: Lab, plane: ControlPlane, seconds: number): ClientRun {
  return runInClientNamespace(lab, [CLIENT_SCRIPT, 'watch', String(seconds)], clientEnv(plane));
}

/**
 * What a watcher saw after `since` (epoch ms). Its attempts overlap, so the outage ends with the first
 * answer among the attempts started after the last failed one: an attempt still hanging on the dead
 * node when a later one answers does not end it, and a later failure reopens it.
 */
export interface Outage {
  /** Seconds from `since` to the start of the first and of the last failed attempt. */
  readonly firstFailure: number | undefined;
  readonly lastFailure: number | undefined;
  /** Seconds from `since` to the first whole answer after the last failure (0: none failed). */
  readonly answeredAfter: number | undefined;
  readonly failures: number;
  readonly answers: number;
  readonly lastReason: string | undefined;
}

/** A watcher's attempt, from its line: when it started, and when it answered (each call's ms) or what failed. */
export type Answer = { readonly ok: true; readonly started: number; readonly answered: number; readonly calls: string };
export type Failure = { readonly ok: false; readonly started: number; readonly reason: string };
export type Attempt = Answer | Failure;

export function watchedAttempts(lines: readonly string[]): Attempt[] {
  return lines.flatMap((line): Attempt[] => {
    const [kind, a, b, ...rest] = line.split(' ');
    if (kind === 'ok') return [{ ok: true, answered: Number(a), started: Number(b), calls: rest.join(' ') }];
    if (kind === 'fail') return [{ ok: false, started: Number(a), reason: [b, ...rest].join(' ') }];
    return [];
  });
}

export function outageAfter(run: ClientRun, since: number): Outage {
  const seconds = (at: number) => (at - since) / 1000;
  const seen = watchedAttempts(run.lines).filter((t) => t.started >= since);
  const fails = seen.filter((t): t is Failure => !t.ok);
  const oks = seen.filter((t): t is Answer => t.ok);
  const last = fails.reduce<Failure | undefined>((l, f) => (l === undefined || f.started > l.started ? f : l), undefined);
  const after = oks.filter((o) => last === undefined || o.started > last.started);
  const answered = after.length === 0 ? undefined : Math.min(...after.map((o) => o.answered));
  return {
    firstFailure: fails.length === 0 ? undefined : seconds(Math.min(...fails.map((f) => f.started))),
    lastFailure: last === undefined ? undefined : seconds(last.started),
    // Never failed: the first answer after `since` (none yet: undefined).
    answeredAfter: answered === undefined ? undefined : fails.length === 0 ? 0 : seconds(answered),
    failures: fails.length,
    answers: oks.length,
    lastReason: last?.reason,
  };
}

/**
 * Runs the control plane in the order its accounts need: RabbitMQ and Keystone, then the catalog
 * (service users) through the Keystone VIP, then everything that authenticates against it.
 */
export async function startControlPlane(
  lab: Lab,
  plane: ControlPlane,
  show: (crm: string) => void = () => undefined,
): Promise<ClusterStatus> {
  show(plane.crm.keystone);
  await lab.loadCrm(plane.crm.keystone);
  const keystones = CLONED[plane.layout].includes('keystone') ? lab.names.length : 1;
  await lab.waitUntil('keystone running', 240_000, (s) => runningOn(s, 'keystone').length === keystones);
  const client = controlPlaneClient(lab, plane);
  await waitFor(
    'the catalog registered through the Keystone VIP',
    60_000,
    async () => ((await client('catalog')).code === 0 ? true : undefined),
    2000,
  );
  show(plane.crm.services);
  await lab.loadCrm(plane.crm.services);
  return lab.waitUntil('the whole control plane running', 300_000, (s) => controlPlaneRunning(s));
}

/**
 * A fresh lab's whole control plane in `layout`: the MySQL master/slave set with its VIP, the schemas
 * and keys through it, then the services in the order their accounts need.
 */
export async function bringUpControlPlane(
  lab: Lab,
  layout: Layout = 'seed',
  /** Runs once the nodes are up, before any server or service starts (a bench's kernel settings). */
  afterUp: () => Promise<void> = async () => undefined,
): Promise<ControlPlane> {
  await lab.up();
  await afterUp();
  await prepareReplicas(lab, openstackSql());
  for (const command of setMasterAddresses(lab)) await lab.mustExec(lab.names[0]!, command);
  // The database as the layout has it (plane.database holds the same lines for the README).
  await lab.loadCrm(masterSlaveCrm(lab, 'master-slave', true, layout === 'active-active'));
  const s = await lab.waitUntil(
    'the database promoted with its VIP',
    120_000,
    (s) => promotedDb(s).length === 1 && runningOn(s, 'vip')[0] === promotedDb(s)[0],
  );
  const plane = await prepareControlPlane(lab, promotedDb(s)[0]!, layout);
  console.log(
    `[lab] OpenStack schemas and keys through the database VIP: ${Object.entries(plane.timings)
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(', ')}`,
  );
  await startControlPlane(lab, plane);
  return plane;
}

/** Waits until the watcher has answered again after `crashedAt` and kept answering for `holdMs`. */
export async function answersAgain(watcher: ClientRun, crashedAt: number, holdMs: number, what: string): Promise<Outage> {
  await waitFor(
    what,
    200_000,
    async () => {
      const o = outageAfter(watcher, crashedAt);
      return o.answeredAfter !== undefined && Date.now() - crashedAt > o.answeredAfter * 1000 + holdMs ? true : undefined;
    },
    250,
  );
  return outageAfter(watcher, crashedAt);
}
