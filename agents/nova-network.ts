import { openstackService } from '../shared/openstack/service-agent.ts';

// nova-network is in no packaged OpenStack release any more; the agent serves clouds that still run it.
export default openstackService({
  name: 'nova-network',
  shortdesc: 'OpenStack Nova network (legacy)',
  longdesc:
    'Manages nova-network. Monitor depth 0 checks that the process (pid identity) consumes its own RPC queue, ' +
    'network.<host>, on the RabbitMQ of transport_url; depth 10 also calls oslo_rpc_server_ping on that queue when the ' +
    'service sets rpc_ping_enabled. RabbitMQ unreachable is DEGRADED (190); no consumer or no answer is a failure.',
  binary: '/usr/bin/nova-network',
  config: '/etc/nova/nova.conf',
  user: 'nova',
  check: { kind: 'rpc', topic: 'network', exchange: 'nova' },
});
