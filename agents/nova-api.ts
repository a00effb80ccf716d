import { dirname } from 'node:path';
import { configValue } from '../shared/openstack/ini.ts';
import { openstackService } from '../shared/openstack/service-agent.ts';

export default openstackService({
  name: 'nova-api',
  shortdesc: 'OpenStack Nova compute API',
  longdesc:
    'Manages nova-api (its eventlet server, or uwsgi with nova-api-wsgi when uwsgi_ini is set); stop takes the ' +
    'parent and its workers. Monitor depth 0 checks the process (pid identity) and GETs the version document ' +
    'without credentials; depth 10 gets a Keystone token and lists the compute services (GET /v2.1/os-services, ' +
    'which needs an admin account). Keystone unreachable at depth 10 is DEGRADED (190).',
  binary: '/usr/bin/nova-api',
  config: '/etc/nova/nova.conf',
  user: 'nova',
  check: { kind: 'http', url: 'http://127.0.0.1:8774/', authenticated: { kind: 'get', path: 'v2.1/os-services' } },
  uwsgi: {
    ini: '',
    httpSocket: ':8774',
    // nova-api-wsgi takes the first of OS_NOVA_CONFIG_FILES as its paste config (absolute paths are kept as they are).
    appEnv: (files) => ({
      OS_NOVA_CONFIG_DIR: dirname(files[0] ?? '/etc/nova/nova.conf'),
      OS_NOVA_CONFIG_FILES: [configValue(files, 'wsgi', 'api_paste_config') ?? '/etc/nova/api-paste.ini', ...files].join(';'),
    }),
  },
});
