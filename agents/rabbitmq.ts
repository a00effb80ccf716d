import { defineAgent } from '../shared/ocf/agent.ts';
import { OCF } from '../shared/ocf/exit-codes.ts';
import { monitor, start, stop, validate } from '../shared/rabbitmq/actions.ts';
import { rabbitmqParameters } from '../shared/rabbitmq/parameters.ts';

export default defineAgent({
  name: 'rabbitmq',
  shortdesc: 'RabbitMQ broker node, standalone or as a clone forming one cluster',
  longdesc:
    "Manages one RabbitMQ broker node. Monitor depth 0 checks that the pid file names this node's Erlang VM and " +
    'that it answers the AMQP protocol header (no credentials); depth 10 logs in and sends a message through a ' +
    'private queue. Every check is bounded by the operation timeout; a failing broker is reported as failing, never ' +
    'as stopped. Clone mode (cluster=auto in a clone with clone-max > 1, or cluster=on): the instances form one ' +
    'RabbitMQ cluster. start keeps the data: it joins the running cluster, or with none running boots when RabbitMQ ' +
    'can finish booting (the node that stopped last first, the others with the peers that ran after them) and waits ' +
    'otherwise, saying for whom; only a member the cluster forgot has its data set aside. stop drains the node ' +
    '(rabbitmq-upgrade drain) then shuts it down cleanly. A node paused by pause_minority or partitioned fails its ' +
    "monitor with the reason; depth 10 adds this node's view of the cluster: DEGRADED (190) while a member is missing.",
  parameters: rabbitmqParameters,
  validate,
  actions: {
    start: { timeout: 120, run: start },
    stop: { timeout: 120, run: stop },
    monitor: { timeout: 30, interval: 20, depth: 0, run: monitor, also: [{ timeout: 30, interval: 60, depth: 10 }] },
    'reload-agent': { timeout: 20, run: async () => OCF.SUCCESS },
  },
});
