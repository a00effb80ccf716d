import { net } from '../ocf/builtins.ts';
import { monotonicMs } from '../ocf/clock.ts';

export type AmqpGreeting =
  | { readonly kind: 'start' }
  | { readonly kind: 'refused'; readonly detail: string }
  | { readonly kind: 'timeout'; readonly afterMs: number }
  | { readonly kind: 'garbled'; readonly detail: string };

/**
 * Sends the AMQP 0-9-1 protocol header and reads the broker's first frame, connection.start (class 10,
 * method 10): the broker accepts and serves connections. No credentials, no client library.
 */
export function readAmqpGreeting(host: string, port: number, timeoutMs: number): Promise<AmqpGreeting> {
  const started = monotonicMs();
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket = net().createConnection({ host, port });
    const done = (g: AmqpGreeting) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(g);
    };
    const timer = setTimeout(() => done({ kind: 'timeout', afterMs: Math.round(monotonicMs() - started) }), timeoutMs);
    socket.on('connect', () => socket.write(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1])));
    socket.on('error', (e: NodeJS.ErrnoException) => done({ kind: 'refused', detail: e.code ?? e.message }));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 11) return;
      if (received[0] === 0x41) return done({ kind: 'garbled', detail: 'the server wants another protocol version' });
      const method = received[0] === 1 ? received.readUInt32BE(7) : -1;
      done(method === 0x000a000a ? { kind: 'start' } : { kind: 'garbled', detail: `frame type ${received[0]}` });
    });
    socket.on('end', () => done({ kind: 'garbled', detail: 'closed before connection.start' }));
  });
}
