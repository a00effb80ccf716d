/**
 * How long an RPC service may be without a consumer on its own queue before its monitor fails.
 *
 * When RabbitMQ restarts or its VIP moves to another node, every service's queue is gone (or left
 * without consumers) until oslo.messaging reconnects and declares it again: seconds, up to its 30 s
 * retry interval. Failing the monitor then restarts every RPC service on every node for a broker
 * failover, which is slower than the reconnect and adds load at the worst moment. So the first monitor
 * that finds no consumer records when, and reports DEGRADED (190) while the grace lasts; a consumer
 * found again clears the record; a consumer still missing after the grace is a failure.
 */
import { OCF, type OcfCode } from '../ocf/exit-codes.ts';
import { queueStateFile } from './queue-state.ts';

export interface ConsumerVerdict {
  readonly code: OcfCode;
  /** Seconds the consumer has been missing, as recorded. */
  readonly missingFor: number;
}

/** Pure: missing since `since` (epoch ms, undefined: not recorded), at `now`, with `graceSeconds`. */
export function missingConsumerVerdict(since: number | undefined, now: number, graceSeconds: number): ConsumerVerdict {
  const missingFor = since === undefined ? 0 : Math.max(0, (now - since) / 1000);
  // No grace, or nowhere to record: the old behaviour, a failure at once.
  if (graceSeconds <= 0) return { code: OCF.ERR_GENERIC, missingFor };
  return { code: missingFor < graceSeconds ? OCF.DEGRADED : OCF.ERR_GENERIC, missingFor };
}

/** The record of one queue's missing consumer, in the agents' state directory. */
export function consumerRecord(stateDir: string, queue: string) {
  const file = queueStateFile(stateDir, 'consumers', queue);
  return {
    /** When the consumer was first found missing; records now when it was not yet (undefined: nowhere to record). */
    since(now: number): number | undefined {
      const at = Number(file.read());
      if (Number.isFinite(at) && at > 0 && at <= now) return at;
      return file.write(String(now)) ? now : undefined;
    },
    clear: () => file.clear(),
  };
}
