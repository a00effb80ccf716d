import { dirname } from 'node:path';
import { openstackService } from '../shared/openstack/service-agent.ts';

export default openstackService({
  name: 'glance-api',
  shortdesc: 'OpenStack Glance API',
  longdesc:
    'Manages glance-api (its eventlet server, or uwsgi with glance-wsgi-api when uwsgi_ini is set). Monitor depth 0 ' +
    'checks the process (pid identity) and GETs /healthcheck without credentials; depth 10 gets a Keystone token ' +
    'and lists images (GET /v2/images). Keystone unreachable at depth 10 is DEGRADED (190); a Glance that fails ' +
    'or rejects a valid token is a failure (1).',
  binary: '/usr/bin/glance-api',
  config: '/etc/glance/glance-api.conf',
  user: 'glance',
  check: { kind: 'http', url: 'http://127.0.0.1:9292/healthcheck', authenticated: { kind: 'get', path: 'v2/images?limit=1' } },
  // glance-wsgi-api reads glance-api.conf (and its paste ini) from one folder.
  uwsgi: {
    ini: '',
    httpSocket: ':9292',
    appEnv: (files) => ({ OS_GLANCE_CONFIG_DIR: dirname(files[0] ?? '/etc/glance/glance-api.conf') }),
  },
});
