/**
 * How long an RPC service may be without a consumer on its own queue before its monitor fails.
 *
 * When RabbitMQ restarts or its VIP moves to another node, every service's queue is gone (or left
 * without consumers) until oslo.messaging reconnects and declares it again: seconds, up to its 30 s
 * retry interval. Failing the monitor then restarts every RPC service on every node for a broker
 * failover, which is slower than the reconnect and adds load at the worst moment; so a missing
 * consumer is DEGRADED for reconnect_grace seconds (grace.ts), then a failure.
 */
import { queueStateFile } from './monitor-state.ts';
import { sinceRecord } from './grace.ts';

/** Since when one queue has had no consumer, in the agents' state directory. */
export function consumerRecord(stateDir: string, queue: string) {
  return sinceRecord(queueStateFile(stateDir, 'consumers', queue));
}
