import type { Socket } from 'node:net';
import { net } from '../ocf/builtins.ts';
import { monotonicMs } from '../ocf/clock.ts';
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

export type Endpoint = { readonly socketPath: string } | { readonly host: string; readonly port: number };

export function describeEndpoint(e: Endpoint): string {
  return 'socketPath' in e ? `socket ${e.socketPath}` : `${e.host}:${e.port}`;
}

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
export function readGreeting(endpoint: Endpoint, timeoutMs: number): Promise<Greeting> {
  const started = monotonicMs();
  return new Promise((resolve) => {
    let socket: Socket | undefined;
    let received = Buffer.alloc(0);
    const done = (g: Greeting) => {
      clearTimeout(timer);
      socket?.destroy();
      resolve(g);
    };
    const timer = setTimeout(() => done({ kind: 'timeout', afterMs: Math.round(monotonicMs() - started) }), timeoutMs);
    socket =
      'socketPath' in endpoint
        ? net().createConnection({ path: endpoint.socketPath })
        : net().createConnection({ host: endpoint.host, port: endpoint.port });
    socket.on('error', (error: NodeJS.ErrnoException) => done({ kind: 'refused', detail: error.code ?? error.message }));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received.length >= 4 + received.readUIntLE(0, 3)) done(parseGreeting(received));
    });
    socket.on('end', () => done({ kind: 'garbled', detail: 'connection closed before the greeting' }));
  });
}
