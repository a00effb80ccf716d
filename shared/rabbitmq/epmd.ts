import { exchange } from '../net/exchange.ts';

const NAMES_REQ = Buffer.from([0, 1, 110]);

/**
 * The Erlang node names registered with a host's epmd (its NAMES_REQ): an Erlang VM registers its name
 * as soon as it boots, long before RabbitMQ serves AMQP, and the name goes when the VM does. So a
 * peer's name here says its broker is booting or running. No fork of an Erlang CLI (seconds each);
 * undefined when epmd does not answer within `timeoutMs` (no VM there has ever run, or the host is down).
 */
export async function epmdNames(host: string, port: number, timeoutMs: number): Promise<string[] | undefined> {
  // A request is a 2-byte length, then its code: 110 ('n') asks for the names. The answer is epmd's own
  // port (4 bytes), then "name NAME at port N\n" per node; epmd closes when it is all sent.
  const e = await exchange({ host, port }, NAMES_REQ, () => false, timeoutMs);
  return e.kind === 'closed' && e.data.length >= 4 ? parseEpmdNames(e.data.subarray(4).toString('latin1')) : undefined;
}

export function parseEpmdNames(text: string): string[] {
  return text
    .split('\n')
    .map((line) => /^name (\S+) at port \d+/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}
