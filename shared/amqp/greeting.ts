import { exchange } from '../net/exchange.ts';

/** "AMQP", 0, then protocol 0-9-1. */
const AMQP_0_9_1_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

export type AmqpGreeting =
  | { readonly kind: 'start' }
  | { readonly kind: 'refused'; readonly detail: string }
  | { readonly kind: 'timeout'; readonly afterMs: number }
  | { readonly kind: 'garbled'; readonly detail: string };

/**
 * Sends the AMQP 0-9-1 protocol header and reads the broker's first frame, connection.start (class 10,
 * method 10): the broker accepts and serves connections. No credentials, no client library.
 */
export async function readAmqpGreeting(host: string, port: number, timeoutMs: number): Promise<AmqpGreeting> {
  // connection.start comes as a method frame: type 1, channel, size, then class 10 and method 10 at byte 7.
  const e = await exchange({ host, port }, AMQP_0_9_1_HEADER, (r) => r.length >= 11, timeoutMs);
  // A broker that speaks another version answers with its own protocol header, and closes.
  if ((e.kind === 'reply' || e.kind === 'closed') && e.data[0] === 0x41)
    return { kind: 'garbled', detail: 'the server wants another protocol version' };
  if (e.kind === 'closed') return { kind: 'garbled', detail: 'closed before connection.start' };
  if (e.kind !== 'reply') return e;
  const method = e.data[0] === 1 ? e.data.readUInt32BE(7) : -1;
  return method === 0x000a000a ? { kind: 'start' } : { kind: 'garbled', detail: `frame type ${e.data[0]}` };
}
