import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeEndpoint, exchange, type Endpoint } from '../../../shared/net/exchange.ts';
import { useTempDirs } from '../helpers.ts';

const tempDir = useTempDirs();

describe('exchange: one bounded request and reply over a socket', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  /** A loopback server that hands each connection to `serve`; resolves to its port. */
  async function listen(serve: (socket: Socket) => void): Promise<number> {
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      serve(socket);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  it('sends the request and returns the reply once it is whole, even when it comes in pieces', async () => {
    let request: Buffer | undefined;
    const port = await listen((s) =>
      s.once('data', (r) => {
        request = r;
        s.write('he');
        setTimeout(() => s.write('llo!'), 20);
      }),
    );
    const e = await exchange({ host: '127.0.0.1', port }, Buffer.from('ping'), (r) => r.includes('!'), 5_000);
    expect(e.kind === 'reply' && e.data.toString()).toBe('hello!');
    expect(request?.toString()).toBe('ping');
  });

  it('with no request, reads what a server that speaks first sends, over a unix socket', async () => {
    const path = join(tempDir(), 'server.sock');
    const server = createServer((s) => s.end('greeting'));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    expect(await exchange({ socketPath: path }, undefined, (r) => r.length >= 8, 5_000)).toEqual({
      kind: 'reply',
      data: Buffer.from('greeting'),
    });
  });

  it('a server that closes before the reply is whole: closed, with what it sent', async () => {
    const port = await listen((s) => s.once('data', () => s.end('part')));
    expect(await exchange({ host: '127.0.0.1', port }, Buffer.from('?'), () => false, 5_000)).toEqual({
      kind: 'closed',
      data: Buffer.from('part'),
    });
  });

  it('a server that never answers times out within the given timeout, never a hang', async () => {
    const port = await listen(() => undefined);
    const e = await exchange({ host: '127.0.0.1', port }, Buffer.from('?'), () => true, 200);
    expect(e.kind).toBe('timeout');
    expect(e.kind === 'timeout' && e.afterMs).toBeGreaterThanOrEqual(150);
    expect(e.kind === 'timeout' && e.afterMs).toBeLessThan(5_000);
  });

  it('a closed port is refused with the error code; a missing socket path too', async () => {
    const port = await listen(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await exchange({ host: '127.0.0.1', port }, undefined, () => true, 5_000)).toEqual({ kind: 'refused', detail: 'ECONNREFUSED' });
    expect(await exchange({ socketPath: join(tempDir(), 'absent.sock') }, undefined, () => true, 5_000)).toEqual({
      kind: 'refused',
      detail: 'ENOENT',
    });
  });

  it.each<[Endpoint, string]>([
    [{ socketPath: '/run/mysqld/mysqld.sock' }, 'socket /run/mysqld/mysqld.sock'],
    [{ host: '127.0.0.1', port: 3306 }, '127.0.0.1:3306'],
  ])('describes %j as %j', (endpoint, text) => {
    expect(describeEndpoint(endpoint)).toBe(text);
  });
});
