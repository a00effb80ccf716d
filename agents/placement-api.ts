import { dirname } from 'node:path';
import { openstackService } from '../shared/openstack/service-agent.ts';

// Placement has no eventlet server: like keystone it runs under uwsgi, as Debian ships it. nova-scheduler
// and nova-compute need it from Ocata on.
export default openstackService({
  name: 'placement-api',
  shortdesc: 'OpenStack Placement API under uwsgi',
  longdesc:
    'Manages the Placement API as Debian deploys it: uwsgi started as root with placement-api-uwsgi.ini and ' +
    '--http-socket, dropping to the placement account; stop takes the master and its workers. Monitor depth 0 ' +
    'checks the uwsgi master (pid identity) and GETs the version document without credentials; depth 10 gets a ' +
    'Keystone token and lists resource providers. Keystone unreachable at depth 10 is DEGRADED (190).',
  binary: '/usr/bin/uwsgi_python3',
  config: '/etc/placement/placement.conf',
  user: 'placement',
  check: { kind: 'http', url: 'http://127.0.0.1:8778/', authenticated: { kind: 'get', path: 'resource_providers' } },
  uwsgi: {
    ini: '/etc/placement/placement-api-uwsgi.ini',
    httpSocket: ':8778',
    // The app reads placement.conf from one folder.
    appEnv: (files) => ({ OS_PLACEMENT_CONFIG_DIR: dirname(files[0] ?? '/etc/placement/placement.conf') }),
  },
});
