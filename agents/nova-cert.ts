import { openstackService } from '../shared/openstack/service-agent.ts';

// nova-cert no longer exists in any packaged OpenStack release; the agent serves clouds that still run it.
export default openstackService({
  name: 'nova-cert',
  shortdesc: 'OpenStack Nova cert service',
  longdesc:
    'Manages nova-cert. Monitor checks that the process (pid identity) consumes its own RPC queue, cert.<host>, ' +
    'on the RabbitMQ of transport_url; RabbitMQ unreachable is DEGRADED (190), a missing consumer a failure.',
  binary: '/usr/bin/nova-cert',
  config: '/etc/nova/nova.conf',
  user: 'nova',
  check: { kind: 'rpc', topic: 'cert' },
});
