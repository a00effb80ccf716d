import { openstackService } from '../shared/openstack/service-agent.ts';

export default openstackService({
  name: 'nova-compute',
  shortdesc: 'OpenStack Nova compute',
  longdesc:
    'Manages nova-compute. Debian splits its settings into nova.conf and nova-compute.conf, so both are given by ' +
    'default (config takes several files). Monitor depth 0 checks that the process (pid identity) consumes its own ' +
    'RPC queue, compute.<host>; depth 10 also calls oslo_rpc_server_ping on it when the service sets ' +
    'rpc_ping_enabled. RabbitMQ unreachable is DEGRADED (190); no consumer or no answer is a failure.',
  binary: '/usr/bin/nova-compute',
  config: '/etc/nova/nova.conf /etc/nova/nova-compute.conf',
  user: 'nova',
  check: { kind: 'rpc', topic: 'compute', exchange: 'nova' },
  // The resource tracker registers with placement before the queue is consumed: starts take longer.
  timeouts: { start: 120 },
});
