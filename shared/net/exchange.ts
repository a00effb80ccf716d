import type { Socket } from 'node:net';
import { net } from '../ocf/builtins.ts';
import { monotonicMs } from '../ocf/clock.ts';

/** Where a server listens: a unix socket, or a TCP host and port. */
export type Endpoint = { readonly socketPath: string } | { readonly host: string; readonly port: number };

export function describeEndpoint(e: Endpoint): string {
  return 'socketPath' in e ? `socket ${e.socketPath}` : `${e.host}:${e.port}`;
}

/**
 * How one short exchange ended: a complete reply; the server closed first (with what it had sent); the
 * connection failed (refused, reset, no route: the error's code); or no complete reply in time.
 */
export type Exchange =
  | { readonly kind: 'reply'; readonly data: Buffer }
  | { readonly kind: 'closed'; readonly data: Buffer }
  | { readonly kind: 'refused'; readonly detail: string }
  | { readonly kind: 'timeout'; readonly afterMs: number };

/**
 * Connects, writes `request` (none for a server that speaks first) and collects what comes back until
 * `complete` says the reply is whole, the server closes, or `timeoutMs` passes. The socket is destroyed
 * in every case, and the promise never rejects: the checks built on it (the MySQL, AMQP and epmd
 * greetings) turn each ending into their own verdict.
 */
export function exchange(
  endpoint: Endpoint,
  request: Uint8Array | undefined,
  complete: (received: Buffer) => boolean,
  timeoutMs: number,
): Promise<Exchange> {
  const started = monotonicMs();
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket: Socket =
      'socketPath' in endpoint
        ? net().createConnection({ path: endpoint.socketPath })
        : net().createConnection({ host: endpoint.host, port: endpoint.port });
    const done = (e: Exchange) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(e);
    };
    const timer = setTimeout(() => done({ kind: 'timeout', afterMs: Math.round(monotonicMs() - started) }), timeoutMs);
    if (request !== undefined) socket.on('connect', () => socket.write(request));
    socket.on('error', (error: NodeJS.ErrnoException) => done({ kind: 'refused', detail: error.code ?? error.message }));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (complete(received)) done({ kind: 'reply', data: received });
    });
    socket.on('end', () => done({ kind: 'closed', data: received }));
  });
}
