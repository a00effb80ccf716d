import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readAmqpGreeting } from '../../../shared/amqp/greeting.ts';

/** connection.start as a broker frames it: type 1, channel 0, size, class 10, method 10 (arguments cut). */
const CONNECTION_START = Buffer.from([1, 0, 0, 0, 0, 0, 4, 0, 10, 0, 10, 0xce]);

describe('readAmqpGreeting: the AMQP 0-9-1 header, answered by connection.start', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  /** A loopback broker stand-in that answers the protocol header with `answer`. */
  async function broker(answer: (socket: Socket, header: Buffer) => void): Promise<number> {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', (header) => answer(socket, header));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  it('a broker that sends connection.start serves: start', async () => {
    let header: Buffer | undefined;
    const port = await broker((s, h) => {
      header = h;
      s.write(CONNECTION_START);
    });
    expect(await readAmqpGreeting('127.0.0.1', port, 2000)).toEqual({ kind: 'start' });
    expect(header?.toString('latin1')).toBe('AMQP\0\0\x09\x01');
  });

  it('a server that wants another protocol version (answers with its own header and closes) says so', async () => {
    const port = await broker((s) => s.end(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 1, 0, 0])));
    expect(await readAmqpGreeting('127.0.0.1', port, 2000)).toEqual({
      kind: 'garbled',
      detail: 'the server wants another protocol version',
    });
  });

  it('a server that closes without a frame, or sends another frame type, is garbled', async () => {
    const closes = await broker((s) => s.end());
    expect(await readAmqpGreeting('127.0.0.1', closes, 2000)).toEqual({ kind: 'garbled', detail: 'closed before connection.start' });
    const other = await broker((s) => s.write(Buffer.from([8, 0, 0, 0, 0, 0, 0, 0xce, 0, 0, 0])));
    expect(await readAmqpGreeting('127.0.0.1', other, 2000)).toEqual({ kind: 'garbled', detail: 'frame type 8' });
  });

  it('a broker that accepts and never answers times out; a closed port is refused', async () => {
    const silent = await broker(() => undefined);
    expect((await readAmqpGreeting('127.0.0.1', silent, 200)).kind).toBe('timeout');
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    expect(await readAmqpGreeting('127.0.0.1', silent, 2000)).toEqual({ kind: 'refused', detail: 'ECONNREFUSED' });
  });
});
