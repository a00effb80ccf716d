/**
 * Which broker of a multi-host transport_url an RPC monitor tries first. While a listed broker is down
 * (its node crashed: no answer to the SYN), trying the list in its written order costs every monitor a
 * connect timeout before the next host; so the monitor remembers the broker that last answered (host
 * and port only, never credentials) and tries it first. The written order still decides otherwise.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AmqpTarget } from '../amqp/session.ts';
import { targetName } from './transport-url.ts';

const FOLDER = 'tsha-rpc-brokers';

/** Pure: the targets with the one named `last` (host:port) first, the others in their order. */
export function preferLastAnswered(targets: readonly AmqpTarget[], last: string | undefined): AmqpTarget[] {
  const first = targets.findIndex((t) => targetName(t) === last);
  return first <= 0 ? [...targets] : [targets[first]!, ...targets.filter((_, i) => i !== first)];
}

/** The last broker that answered one queue's monitor, in the agents' state directory. */
export function lastBrokerRecord(stateDir: string, queue: string) {
  const file = join(stateDir, FOLDER, queue.replace(/[^A-Za-z0-9_.-]/g, '_'));
  return {
    read(): string | undefined {
      try {
        return readFileSync(file, 'utf8').trim() || undefined;
      } catch {
        return undefined;
      }
    },
    /** Best effort: a monitor never fails for want of this hint. */
    write(name: string): void {
      try {
        mkdirSync(join(stateDir, FOLDER), { recursive: true, mode: 0o700 });
        writeFileSync(file, name, { mode: 0o600 });
      } catch {
        // the next monitor tries the written order
      }
    },
  };
}
