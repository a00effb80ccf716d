import { openstackService } from '../shared/openstack/service-agent.ts';

export default openstackService({
  name: 'nova-scheduler',
  shortdesc: 'OpenStack Nova scheduler',
  longdesc:
    'Manages nova-scheduler. Monitor depth 0 checks that the process (pid identity) consumes its own RPC queue, ' +
    'scheduler.<host>, on the RabbitMQ of transport_url; depth 10 also calls oslo_rpc_server_ping on that queue when the ' +
    'service sets rpc_ping_enabled. RabbitMQ unreachable is DEGRADED (190); no consumer or no answer is a failure.',
  binary: '/usr/bin/nova-scheduler',
  config: '/etc/nova/nova.conf',
  user: 'nova',
  check: { kind: 'rpc', topic: 'scheduler', exchange: 'nova' },
});
