/**
 * Which broker of a multi-host transport_url an RPC monitor tries first. While a listed broker is down
 * (its node crashed: no answer to the SYN), trying the list in its written order costs every monitor a
 * connect timeout before the next host; so the monitor remembers the broker that last answered (host
 * and port only, never credentials) and tries it first. The written order still decides otherwise.
 */
import type { AmqpTarget } from '../amqp/session.ts';
import { queueStateFile } from './monitor-state.ts';
import { targetName } from './transport-url.ts';

/** Pure: the targets with the one named `last` (host:port) first, the others in their order. */
export function preferLastAnswered(targets: readonly AmqpTarget[], last: string | undefined): AmqpTarget[] {
  const first = targets.findIndex((t) => targetName(t) === last);
  return first <= 0 ? [...targets] : [targets[first]!, ...targets.filter((_, i) => i !== first)];
}

/** The last broker that answered one queue's monitor (host:port); when it cannot be written, the next monitor tries the written order. */
export function lastBrokerRecord(stateDir: string, queue: string) {
  return queueStateFile(stateDir, 'brokers', queue);
}
