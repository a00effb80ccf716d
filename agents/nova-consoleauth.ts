import { openstackService } from '../shared/openstack/service-agent.ts';

// nova-consoleauth no longer exists in any packaged OpenStack release; the agent serves clouds that still run it.
export default openstackService({
  name: 'nova-consoleauth',
  shortdesc: 'OpenStack Nova consoleauth service',
  longdesc:
    'Manages nova-consoleauth. Monitor checks that the process (pid identity) consumes its own RPC queue, consoleauth.<host>, ' +
    'on the RabbitMQ of transport_url; depth 10 also calls oslo_rpc_server_ping on it when the service sets ' +
    'rpc_ping_enabled. RabbitMQ unreachable is DEGRADED (190); no consumer or no answer is a failure.',
  binary: '/usr/bin/nova-consoleauth',
  config: '/etc/nova/nova.conf',
  user: 'nova',
  check: { kind: 'rpc', topic: 'consoleauth', exchange: 'nova' },
});
