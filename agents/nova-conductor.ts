import { openstackService } from '../shared/openstack/service-agent.ts';

export default openstackService({
  name: 'nova-conductor',
  shortdesc: 'OpenStack Nova conductor',
  longdesc:
    'Manages nova-conductor (no earlier agent existed for it). Monitor depth 0 checks that the process (pid identity) consumes its own RPC queue, ' +
    'conductor.<host>, on the RabbitMQ of transport_url; depth 10 also calls oslo_rpc_server_ping on that queue when the ' +
    'service sets rpc_ping_enabled. RabbitMQ unreachable is DEGRADED (190); no consumer or no answer is a failure.',
  binary: '/usr/bin/nova-conductor',
  config: '/etc/nova/nova.conf',
  user: 'nova',
  check: { kind: 'rpc', topic: 'conductor', exchange: 'nova' },
});
