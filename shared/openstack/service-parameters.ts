/**
 * The parameters every OpenStack service agent takes: the old openstack-resource-agents' names (binary,
 * config, user, pid, os_*, url, amqp_server_port, …) so that existing crm lines keep working, and the
 * modern ones (Keystone v3 domains, clouds.yaml, a credentials file, TLS, uwsgi).
 */
import { boolean, integer, seconds, string } from '../ocf/parameters.ts';
import type { ServiceSpec } from './service-spec.ts';

export function endpointParameters(spec: ServiceSpec) {
  const url = spec.check.kind === 'http' ? spec.check.url : '';
  const monitor = { monitorOnly: true, reloadable: true } as const;
  return {
    url: string({
      shortdesc: 'Endpoint checked at depth 0',
      longdesc: "The service's own endpoint that monitor GETs without credentials; any answer below 500 means it serves.",
      default: url,
      ...monitor,
    }),
    ca_file: string({
      shortdesc: 'CA bundle (https)',
      longdesc: "CA certificates that sign the endpoint's (and Keystone's) certificates.",
      default: '',
      ...monitor,
    }),
    client_cert: string({
      shortdesc: 'Client certificate (https)',
      longdesc: 'PEM client certificate for endpoints that require one.',
      default: '',
      ...monitor,
    }),
    client_key: string({ shortdesc: 'Client key (https)', longdesc: 'PEM key of client_cert.', default: '', ...monitor }),
    insecure: boolean({
      shortdesc: 'Skip certificate verification',
      longdesc: "Do not verify the endpoint's TLS certificate.",
      default: false,
      ...monitor,
    }),
  } as const;
}

export function credentialParameters() {
  const monitor = { monitorOnly: true, reloadable: true } as const;
  return {
    os_auth_url: string({
      shortdesc: 'Keystone URL (depth 10)',
      longdesc:
        "Identity endpoint for the depth-10 login, e.g. http://vip:5000/v3; an unversioned URL means v3, a URL ending in /v2.0 uses Keystone v2.0. Empty: from os_cloud, os_credentials_file or the service's [keystone_authtoken].",
      default: '',
      ...monitor,
    }),
    client_binary: string({
      shortdesc: 'Client CLI (unused)',
      longdesc:
        'Accepted for compatibility with the old keystone and glance-api agents and ignored: the depth-10 check talks to Keystone in-process and runs no client CLI.',
      default: '',
      ...monitor,
    }),
    keystone_get_token_url: string({
      shortdesc: 'Keystone v2.0 token URL (old agents)',
      longdesc: "The old agents' token URL (…/v2.0/tokens); used as os_auth_url when that is empty.",
      default: '',
      ...monitor,
    }),
    os_username: string({
      shortdesc: 'User for the depth-10 login',
      longdesc: 'Keystone user the monitor logs in as.',
      default: '',
      ...monitor,
    }),
    os_password: string({
      shortdesc: 'Password for the depth-10 login',
      longdesc: 'Kept out of argv, logs and exit reasons; prefer os_cloud or os_credentials_file to keep it out of the CIB.',
      default: '',
      secret: true,
      ...monitor,
    }),
    os_tenant_name: string({
      shortdesc: 'Project (tenant) name, old spelling',
      longdesc: "The old agents' name for os_project_name.",
      default: '',
      ...monitor,
    }),
    os_project_name: string({
      shortdesc: 'Project for the depth-10 login',
      longdesc: 'Keystone project the token is scoped to.',
      default: '',
      ...monitor,
    }),
    os_user_domain_name: string({
      shortdesc: 'User domain (Keystone v3)',
      longdesc: 'Domain of os_username; empty means Default.',
      default: '',
      ...monitor,
    }),
    os_project_domain_name: string({
      shortdesc: 'Project domain (Keystone v3)',
      longdesc: 'Domain of the project; empty means Default.',
      default: '',
      ...monitor,
    }),
    os_cloud: string({
      shortdesc: 'clouds.yaml entry',
      longdesc:
        'Name of a clouds.yaml entry holding the depth-10 credentials (password or application credential, and cacert/cert/key/verify); secure.yaml beside it is merged.',
      default: '',
      ...monitor,
    }),
    os_client_config_file: string({
      shortdesc: 'clouds.yaml path',
      longdesc: 'Where os_cloud is looked up; empty searches /etc/openstack/clouds.yaml, then /root/.config/openstack/clouds.yaml.',
      default: '',
      ...monitor,
    }),
    os_credentials_file: string({
      shortdesc: 'Credentials file (openrc)',
      longdesc: 'An openrc-style file (OS_AUTH_URL=…, OS_USERNAME=…, OS_PASSWORD=…, …) read as data, never run by a shell.',
      default: '',
      ...monitor,
    }),
  } as const;
}

/** For an API service whose depth 10 calls its own API (not keystone, whose depth 10 is a token). */
export function backendParameters() {
  return {
    backend_grace: seconds({
      shortdesc: 'Grace for a failing backend (depth 10)',
      longdesc:
        "How long monitor reports DEGRADED (190) rather than failing when the service answers its own endpoint but its authenticated API call answers 5xx or nothing in time: what it does while its database fails over. Restarting the service would not bring the database back, and on the survivor of a controller crash the restart competes with the failover's own starts. 0 fails at once.",
      default: 60,
      monitorOnly: true,
      reloadable: true,
    }),
  } as const;
}

export function uwsgiParameters(spec: ServiceSpec) {
  return {
    uwsgi_ini: string({
      shortdesc: 'uwsgi ini (uwsgi deployment)',
      longdesc:
        "When set, the service runs under uwsgi: binary is the uwsgi executable, started as root with --ini <uwsgi_ini> and dropping to user itself, as Debian's init scripts do.",
      default: spec.uwsgi?.ini ?? '',
    }),
    http_socket: string({
      shortdesc: 'uwsgi HTTP socket',
      longdesc:
        "Address:port passed as --http-socket under uwsgi (Debian's ini files leave it to the command line); empty leaves it to the ini.",
      default: spec.uwsgi?.httpSocket ?? '',
    }),
    workers: integer({
      shortdesc: 'uwsgi processes',
      longdesc: "Passed as --processes under uwsgi; 0 keeps the ini's number.",
      default: 0,
    }),
    worker_mercy: seconds({
      shortdesc: 'uwsgi worker shutdown bound',
      longdesc:
        "Passed as --worker-reload-mercy under uwsgi: the seconds the uwsgi master gives a worker to finish at stop before it kills it. uwsgi's own default, 60 s, is the whole default stop timeout, and glance-api's workers (Debian 12) hang at exit until it runs out. Keep it well below the stop timeout; 0 keeps the ini's value.",
      default: 10,
    }),
  } as const;
}

export function rpcParameters() {
  const monitor = { monitorOnly: true, reloadable: true } as const;
  return {
    transport_url: string({
      shortdesc: 'RabbitMQ transport URL',
      longdesc:
        'oslo.messaging transport_url for the queue check; empty reads [DEFAULT] transport_url from config. Keeping it in the config file keeps its password out of the CIB.',
      default: '',
      secret: true,
      ...monitor,
    }),
    host: string({
      shortdesc: 'Service host name',
      longdesc:
        "The host part of the service's own queue (<topic>.<host>); empty reads [DEFAULT] host from config, else the node's host name.",
      default: '',
      ...monitor,
    }),
    reconnect_grace: seconds({
      shortdesc: 'Grace for a missing consumer',
      longdesc:
        "How long monitor reports DEGRADED (190) rather than failing when the service's queue has no consumer. After RabbitMQ restarts or its VIP moves, oslo.messaging reconnects and declares its queue again within its retry interval (up to 30 s); restarting the service would not be faster. 0 fails at once.",
      default: 60,
      ...monitor,
    }),
    amqp_server_port: string({
      shortdesc: 'AMQP port (unused)',
      longdesc: 'Accepted for compatibility with the openstack-resource-agents; the port comes from transport_url.',
      default: '5672',
      monitorOnly: true,
    }),
    database_server_port: string({
      shortdesc: 'Database port (unused)',
      longdesc: 'Accepted for compatibility with the openstack-resource-agents; the database is not probed by port.',
      default: '3306',
      monitorOnly: true,
    }),
    zeromq: boolean({
      shortdesc: 'ZeroMQ transport (unused)',
      longdesc:
        'Accepted for compatibility with the openstack-resource-agents; oslo.messaging dropped ZeroMQ, the check always uses transport_url.',
      default: false,
      monitorOnly: true,
    }),
  } as const;
}

export function baseParameters(spec: ServiceSpec) {
  return {
    binary: string({
      shortdesc: 'Service binary',
      longdesc: `The ${spec.name} executable, started as --config-file <config> (or the uwsgi executable when uwsgi_ini is set). A bare name (as the old agents' defaults) is looked up on the PATH Pacemaker gives agents.`,
      default: spec.binary,
      executable: true,
    }),
    config: string({
      shortdesc: 'Service configuration file(s)',
      longdesc: 'oslo.config file(s), blank-separated, each passed with --config-file (later ones override earlier ones, as in oslo).',
      default: spec.config,
    }),
    user: string({ shortdesc: 'Service account', longdesc: 'System account the service runs as (no su).', default: spec.user }),
    pid: string({
      shortdesc: 'Pid file',
      longdesc: 'Pid file the agent writes; empty means /run/resource-agents/<resource>.pid.',
      default: '',
    }),
    log: string({
      shortdesc: 'Output log',
      longdesc: "File receiving the service's standard output and error; empty means /var/log/<user>/<agent>-ocf.log.",
      default: '',
    }),
    additional_parameters: string({
      shortdesc: 'Additional parameters',
      longdesc: 'Extra arguments, split on blanks (quotes group words); no shell.',
      default: '',
    }),
  } as const;
}

/**
 * Every parameter any service agent has, for typing the factory: an agent declares only its own kind's
 * (API or RPC) plus its extras, and each check reads only its own kind's values.
 */
export type ServiceParameterTable = ReturnType<typeof baseParameters> &
  ReturnType<typeof endpointParameters> &
  ReturnType<typeof credentialParameters> &
  ReturnType<typeof backendParameters> &
  ReturnType<typeof uwsgiParameters> &
  ReturnType<typeof rpcParameters>;

/** The parameters one agent declares. */
export function serviceParameters(spec: ServiceSpec): ServiceParameterTable {
  return {
    ...baseParameters(spec),
    ...(spec.check.kind === 'http' ? endpointParameters(spec) : {}),
    ...(spec.check.kind === 'http' && spec.check.authenticated ? credentialParameters() : {}),
    ...(spec.check.kind === 'http' && spec.check.authenticated?.kind === 'get' ? backendParameters() : {}),
    ...(spec.uwsgi ? uwsgiParameters(spec) : {}),
    ...(spec.check.kind === 'rpc' ? rpcParameters() : {}),
    ...(spec.parameters ?? {}),
  } as ServiceParameterTable;
}
