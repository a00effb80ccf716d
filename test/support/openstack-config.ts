/**
 * The OpenStack configuration both the integration harness (test/support/openstack.ts, everything on
 * 127.0.0.1) and the lab's control plane (test/lab/openstack-setup.ts, services behind VIPs) are built
 * from: the ini files of keystone, glance and nova, and the schema and key set-up, as pure builders.
 */
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Account } from '../../shared/process/users.ts';

/** The password of the service users glance, nova and placement. */
export const SERVICE_PASSWORD = 'servicepass';
export const REGION = 'RegionOne';

export type ServiceUser = 'glance' | 'nova' | 'placement';
export type Ini = Record<string, Record<string, string | number | boolean>>;

export function iniText(ini: Ini): string {
  return Object.entries(ini)
    .map(([section, keys]) => [`[${section}]`, ...Object.entries(keys).map(([k, v]) => `${k} = ${String(v)}`), ''].join('\n'))
    .join('\n');
}

/** uwsgi ini: a list, because keys such as `env` repeat. */
export function uwsgiText(lines: readonly (readonly [string, string | number | boolean])[]): string {
  return ['[uwsgi]', ...lines.map(([k, v]) => `${k} = ${String(v)}`), ''].join('\n');
}

/**
 * One small uwsgi application: one worker, the app loaded in the worker. Sixteen threads: while the
 * database's master fails over, requests wait seconds for their database connections, and with four
 * threads keystone's version document timed out behind them — its monitor failed and Pacemaker restarted
 * it on the survivor (the active/active demo). Debian's own ini runs 8 processes of 32 threads.
 */
export function uwsgiApp(
  wsgiFile: string,
  env: string,
  chdir: string,
  log: string,
): readonly (readonly [string, string | number | boolean])[] {
  return [
    ['wsgi-file', wsgiFile],
    ['env', env],
    ['master', true],
    ['processes', 1],
    ['threads', 16],
    ['lazy-apps', true],
    ['need-app', true],
    ['enable-threads', true],
    ['die-on-term', true],
    ['buffer-size', 65535],
    // uwsgi's http-socket closes every connection silently: clients must not reuse one (notes G2).
    ['add-header', 'Connection: close'],
    ['chdir', chdir],
    ['logto', log],
  ];
}

export function keystoneAuthtoken(authUrl: string, username: ServiceUser): Record<string, string> {
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

export function makeDir(path: string, owner?: Account, mode = 0o755): string {
  mkdirSync(path, { recursive: true });
  if (owner) chownSync(path, owner.uid, owner.gid);
  // mkdir's mode goes through the umask.
  chmodSync(path, mode);
  return path;
}

/** Root's file, readable by the service's group only: it holds passwords. */
export function writeConfig(path: string, text: string, group: Account): string {
  writeFileSync(path, text);
  chownSync(path, 0, group.gid);
  chmodSync(path, 0o640);
  return path;
}

/** keystone.conf: fernet tokens, keys in `keyDir`; no log_file, so tools log to their output and the app to uwsgi's log. */
export function keystoneIni(o: { dbUrl: string; keyDir: string }): Ini {
  return {
    database: { connection: o.dbUrl },
    // Fewest bcrypt rounds: every token a test asks for hashes the password once. bcrypt's own
    // limit as the maximum: else every hash warns that it truncates to 72.
    identity: { password_hash_rounds: 4, max_password_length: 72 },
    token: { provider: 'fernet' },
    fernet_tokens: { key_repository: join(o.keyDir, 'fernet-keys') },
    fernet_receipts: { key_repository: join(o.keyDir, 'fernet-keys') },
    credential: { key_repository: join(o.keyDir, 'credential-keys') },
  };
}

/** glance-api.conf: the eventlet server as one process, images in `state`/images. */
export function glanceIni(o: { bind: string; port: number; dbUrl: string; authUrl: string; state: string }): Ini {
  return {
    // workers = 0: one process, no forked children.
    DEFAULT: {
      bind_host: o.bind,
      bind_port: o.port,
      workers: 0,
      image_cache_dir: join(o.state, 'cache'),
      node_staging_uri: `file://${join(o.state, 'staging')}`,
    },
    database: { connection: o.dbUrl },
    paste_deploy: { flavor: 'keystone', config_file: '/etc/glance/glance-api-paste.ini' },
    glance_store: { stores: 'file,http', default_store: 'file', filesystem_store_datadir: join(o.state, 'images') },
    keystone_authtoken: keystoneAuthtoken(o.authUrl, 'glance'),
    oslo_concurrency: { lock_path: join(o.state, 'locks') },
    oslo_messaging_notifications: { driver: 'noop' },
  };
}

export interface NovaIniOptions {
  /** [DEFAULT] host; absent: each node's host name. */
  readonly host?: string;
  readonly myIp: string;
  readonly bind: string;
  readonly port: number;
  readonly transportUrl: string;
  readonly state: string;
  readonly authUrl: string;
  readonly glanceUrl: string;
  readonly placementUrl?: string;
  readonly novnc?: { readonly bind: string; readonly port: number; readonly baseUrl: string };
}

/** nova.conf without DB credentials: nova-compute reads only this file (notes G5). */
export function novaIni(o: NovaIniOptions): Ini {
  return {
    DEFAULT: {
      ...(o.host ? { host: o.host } : {}),
      my_ip: o.myIp,
      state_path: o.state,
      instances_path: join(o.state, 'instances'),
      transport_url: o.transportUrl,
      compute_driver: 'fake.FakeDriver',
      enabled_apis: 'osapi_compute',
      osapi_compute_listen: o.bind,
      osapi_compute_listen_port: o.port,
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
    keystone_authtoken: keystoneAuthtoken(o.authUrl, 'nova'),
    ...(o.placementUrl
      ? {
          placement: {
            auth_type: 'password',
            auth_url: o.authUrl,
            project_domain_name: 'Default',
            user_domain_name: 'Default',
            project_name: 'service',
            username: 'placement',
            password: SERVICE_PASSWORD,
            region_name: REGION,
            endpoint_override: o.placementUrl,
          },
        }
      : {}),
    glance: { endpoint_override: o.glanceUrl },
    vnc: o.novnc
      ? {
          enabled: true,
          server_listen: o.novnc.bind,
          server_proxyclient_address: o.myIp,
          novncproxy_host: o.novnc.bind,
          novncproxy_port: o.novnc.port,
          novncproxy_base_url: o.novnc.baseUrl,
        }
      : { enabled: false },
    spice: { enabled: false },
    oslo_concurrency: { lock_path: join(o.state, 'locks') },
    oslo_messaging_notifications: { driver: 'noop' },
    // A consumer cancelled (its queue deleted) re-declares after this delay: 4 s (default 1, max 4.5)
    // leaves a monitor time to see the queue gone. It is also added to each reconnect interval.
    oslo_messaging_rabbit: { kombu_reconnect_delay: 4 },
  };
}

export function novaDbIni(dbUrl: (name: string) => string): Ini {
  return { api_database: { connection: dbUrl('nova_api') }, database: { connection: dbUrl('nova') } };
}

/** Runs one set-up command as an account (root when undefined); secrets in env, never argv. */
export type SetupStep = (
  name: string,
  as: Account | undefined,
  file: string,
  args: readonly string[],
  env?: Record<string, string>,
) => Promise<string>;

/** Waits for every promise (nothing keeps running unobserved), then throws the first failure. */
export async function all(promises: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}

/** keystone's schema, keys and admin (bootstrap), with the catalog URL of its own endpoint. */
export async function setUpKeystone(
  step: SetupStep,
  o: { conf: string; keystone: Account; adminPassword: string; catalogUrl: string },
): Promise<void> {
  const kc = ['--config-file', o.conf];
  await all([
    (async () => {
      await step('keystone db_sync', o.keystone, 'keystone-manage', [...kc, 'db_sync']);
      await step(
        'keystone bootstrap',
        o.keystone,
        'keystone-manage',
        [
          ...kc,
          'bootstrap',
          '--bootstrap-username',
          'admin',
          '--bootstrap-project-name',
          'admin',
          '--bootstrap-role-name',
          'admin',
          '--bootstrap-service-name',
          'keystone',
          '--bootstrap-region-id',
          REGION,
          '--bootstrap-admin-url',
          o.catalogUrl,
          '--bootstrap-public-url',
          o.catalogUrl,
          '--bootstrap-internal-url',
          o.catalogUrl,
        ],
        { OS_BOOTSTRAP_PASSWORD: o.adminPassword },
      );
    })(),
    // Root creates the repositories 0700 for keystone.
    step('keystone fernet_setup', undefined, 'keystone-manage', [
      ...kc,
      'fernet_setup',
      '--keystone-user',
      'keystone',
      '--keystone-group',
      'keystone',
    ]),
    step('keystone credential_setup', undefined, 'keystone-manage', [
      ...kc,
      'credential_setup',
      '--keystone-user',
      'keystone',
      '--keystone-group',
      'keystone',
    ]),
  ]);
}

/** nova's API and cell databases: api_db sync, cell0, cell1, db sync. */
export async function setUpNova(step: SetupStep, o: { confs: readonly string[]; nova: Account }): Promise<void> {
  const nc = o.confs.flatMap((c) => ['--config-file', c]);
  await step('nova api_db sync', o.nova, 'nova-manage', [...nc, 'api_db', 'sync']);
  // cell0's URL is [database] connection with _cell0 appended: nova_cell0.
  await step('nova map_cell0', o.nova, 'nova-manage', [...nc, 'cell_v2', 'map_cell0']);
  // db sync also syncs cell0 once it is mapped.
  await all([
    step('nova create_cell', o.nova, 'nova-manage', [...nc, 'cell_v2', 'create_cell', '--name', 'cell1', '--verbose']),
    step('nova db sync', o.nova, 'nova-manage', [...nc, 'db', 'sync']),
  ]);
}

function idIn(body: unknown, key: string, what: string): string {
  const id = (body as Record<string, { id?: unknown } | undefined> | null)?.[key]?.id;
  if (typeof id !== 'string') throw new Error(`keystone answered ${what} without ${key}.id: ${JSON.stringify(body).slice(0, 300)}`);
  return id;
}

/** A project-scoped password token from keystone v3 (domain Default). */
export async function issueToken(
  authUrl: string,
  username: string,
  password: string,
  project: string,
  timeoutMs = 30_000,
): Promise<string> {
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
    signal: AbortSignal.timeout(timeoutMs),
  });
  await r.arrayBuffer();
  const token = r.headers.get('x-subject-token');
  if (r.status !== 201 || !token) throw new Error(`keystone gave ${username} no token (HTTP ${r.status})`);
  return token;
}

/**
 * The catalog over keystone's REST API (no `openstack` CLI: 2–3 s per call): project service, the
 * service users with role admin on it, and each service with its three endpoints.
 */
export async function registerCatalog(
  authUrl: string,
  token: string,
  services: readonly { name: string; type: string; url: string }[],
  users: readonly ServiceUser[] = ['glance', 'nova', 'placement'],
): Promise<void> {
  const call = async (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<unknown> => {
    const r = await fetch(`${authUrl}${path}`, {
      method,
      headers: { 'x-auth-token': token, 'content-type': 'application/json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`keystone: ${method} ${path} answered HTTP ${r.status}: ${text.slice(0, 300)}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };
  const [project, roles] = await Promise.all([
    call('POST', '/projects', { project: { name: 'service', domain_id: 'default', description: 'tsha test service users' } }),
    call('GET', '/roles?name=admin'),
  ]);
  const projectId = idIn(project, 'project', 'POST /projects');
  const roleId = (roles as { roles?: { id?: unknown }[] } | undefined)?.roles?.[0]?.id;
  if (typeof roleId !== 'string') throw new Error('keystone has no role admin: did bootstrap run?');
  await all([
    ...users.map(async (name) => {
      const user = await call('POST', '/users', {
        user: { name, password: SERVICE_PASSWORD, domain_id: 'default', default_project_id: projectId },
      });
      await call('PUT', `/projects/${projectId}/users/${idIn(user, 'user', 'POST /users')}/roles/${roleId}`);
    }),
    ...services.map(async ({ name, type, url }) => {
      const service = await call('POST', '/services', { service: { name, type, enabled: true } });
      const serviceId = idIn(service, 'service', 'POST /services');
      await all(
        ['public', 'internal', 'admin'].map((iface) =>
          call('POST', '/endpoints', { endpoint: { service_id: serviceId, interface: iface, url, region_id: REGION } }),
        ),
      );
    }),
  ]);
}
