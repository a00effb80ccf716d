import { exchange, type Endpoint } from '../net/exchange.ts';
import { isErrPacket, parseErrPacket } from './wire-packets.ts';

/**
 * The first packet a MySQL/MariaDB server sends on a new connection: its handshake (with the server
 * version) or an error packet (too many connections, host blocked). Reading it proves that the server
 * accepts and serves connections, with no credentials and no client library.
 */
export type Greeting =
  | { readonly kind: 'handshake'; readonly version: string; readonly connectionId: number }
  | { readonly kind: 'error'; readonly errno: number; readonly message: string }
  | { readonly kind: 'refused'; readonly detail: string }
  | { readonly kind: 'timeout'; readonly afterMs: number }
  | { readonly kind: 'garbled'; readonly detail: string };

export { describeEndpoint, type Endpoint } from '../net/exchange.ts';

export function parseGreeting(packet: Buffer): Greeting {
  if (packet.length < 5) return { kind: 'garbled', detail: `short packet (${packet.length} bytes)` };
  const payload = packet.subarray(4, 4 + packet.readUIntLE(0, 3));
  if (isErrPacket(payload)) {
    const { errno, message } = parseErrPacket(payload);
    return { kind: 'error', errno, message };
  }
  if (payload[0] !== 10) return { kind: 'garbled', detail: `protocol version ${payload[0]}` };
  const end = payload.indexOf(0, 1);
  if (end < 0 || payload.length < end + 5) return { kind: 'garbled', detail: 'truncated handshake' };
  return {
    kind: 'handshake',
    version: payload.subarray(1, end).toString('latin1'),
    connectionId: payload.readUInt32LE(end + 1),
  };
}

/** Reads the greeting within `timeoutMs`; never throws. */
export async function readGreeting(endpoint: Endpoint, timeoutMs: number): Promise<Greeting> {
  // The server speaks first: a packet is a 3-byte length and a sequence id, then the payload.
  const whole = (r: Buffer) => r.length >= 4 && r.length >= 4 + r.readUIntLE(0, 3);
  const e = await exchange(endpoint, undefined, whole, timeoutMs);
  if (e.kind === 'reply') return parseGreeting(e.data);
  if (e.kind === 'closed') return { kind: 'garbled', detail: 'connection closed before the greeting' };
  return e;
}
