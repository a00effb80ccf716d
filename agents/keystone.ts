import { openstackService } from '../shared/openstack/service-agent.ts';

// Keystone has had no eventlet server (keystone-all) since Newton: it runs under uwsgi, as Debian ships it.
export default openstackService({
  name: 'keystone',
  shortdesc: 'OpenStack Keystone (identity) under uwsgi',
  longdesc:
    'Manages Keystone as Debian deploys it: uwsgi started as root with the keystone-uwsgi.ini and --http-socket, ' +
    'dropping to the keystone account; stop takes the master and its workers. Monitor depth 0 checks the uwsgi ' +
    'master (pid identity) and GETs the version document (url) without credentials; depth 10 issues a token ' +
    '(Keystone v3, or v2.0 when os_auth_url ends in /v2.0) and validates it. A Keystone that does not issue or ' +
    'validate tokens is a failure (1), never "not running".',
  binary: '/usr/bin/uwsgi_python3',
  config: '/etc/keystone/keystone.conf',
  user: 'keystone',
  check: { kind: 'http', url: 'http://127.0.0.1:5000/v3', authenticated: { kind: 'token' } },
  uwsgi: {
    ini: '/etc/keystone/keystone-uwsgi.ini',
    httpSocket: ':5000',
    appEnv: (files) => ({ OS_KEYSTONE_CONFIG_FILES: files.join(';') }),
  },
});
