import { defineAgent } from '../shared/ocf/agent.ts';
import { OCF } from '../shared/ocf/exit-codes.ts';
import { monitor, start, stop, validate } from '../shared/rabbitmq/broker.ts';
import { rabbitmqParameters } from '../shared/rabbitmq/parameters.ts';

export default defineAgent({
  name: 'rabbitmq',
  shortdesc: 'RabbitMQ broker node',
  longdesc:
    "Manages one RabbitMQ broker node. Monitor depth 0 checks that the pid file names this node's Erlang VM and " +
    'that it answers the AMQP protocol header (no credentials); depth 10 logs in and sends a message through a ' +
    'private queue. Every check is bounded by the operation timeout; a failing broker is reported as failing, never ' +
    'as stopped.',
  parameters: rabbitmqParameters,
  validate,
  actions: {
    start: { timeout: 120, run: start },
    stop: { timeout: 120, run: stop },
    monitor: { timeout: 30, interval: 20, depth: 0, run: monitor, also: [{ timeout: 30, interval: 60, depth: 10 }] },
    'reload-agent': { timeout: 20, run: async () => OCF.SUCCESS },
  },
});
