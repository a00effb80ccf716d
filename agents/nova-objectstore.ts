import { openstackService } from '../shared/openstack/service-agent.ts';

// nova-objectstore (the S3 stand-in of early Nova) is in no packaged release any more; the agent serves clouds that still run it.
export default openstackService({
  name: 'nova-objectstore',
  shortdesc: 'OpenStack Nova objectstore (legacy S3 server)',
  longdesc:
    'Manages nova-objectstore. Monitor checks the process (pid identity) and GETs its S3 endpoint (url, default ' +
    'http://127.0.0.1:3333/): any answer below 500 means it serves; 5xx, refusal or silence is a failure.',
  binary: '/usr/bin/nova-objectstore',
  config: '/etc/nova/nova.conf',
  user: 'nova',
  check: { kind: 'http', url: 'http://127.0.0.1:3333/' },
});
