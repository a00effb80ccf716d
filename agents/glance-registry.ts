import { openstackService } from '../shared/openstack/service-agent.ts';

// glance-registry was removed from Glance (deprecated in Queens); the agent serves clouds that still run it.
export default openstackService({
  name: 'glance-registry',
  shortdesc: 'OpenStack Glance registry',
  longdesc:
    'Manages glance-registry. Monitor depth 0 checks the process (pid identity) and GETs its own endpoint (url, ' +
    'default http://127.0.0.1:9191/) with a deadline: any answer below 500 means it serves; 5xx, refusal or silence ' +
    'is a failure. Depth 10 lists images (GET /images) with a Keystone token.',
  binary: '/usr/bin/glance-registry',
  config: '/etc/glance/glance-registry.conf',
  user: 'glance',
  check: { kind: 'http', url: 'http://127.0.0.1:9191/', authenticated: { kind: 'get', path: 'images' } },
});
