import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Deadline } from '../../../shared/ocf/deadline.ts';
import { resetClientConnections } from '../../../shared/mysql/client-connections.ts';

// Real sockets on loopback and the real `ss -K` (root, as the agent runs): only connections to the
// address and port given are reset.
describe('resetClientConnections: at a promotion, the connections still leading to the old primary are reset', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  /** An echo server on loopback and one client connected to it; resolves to the port and the client. */
  async function connected(): Promise<{ port: number; client: Socket; closed: Promise<void> }> {
    const server = createServer((s) => {
      sockets.push(s);
      s.on('error', () => undefined);
      s.pipe(s);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const client = connect({ host: '127.0.0.1', port });
    sockets.push(client);
    client.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await new Promise<void>((resolve) => client.once('connect', resolve));
    return { port, client, closed };
  }

  it('resets every connection to the address on the port, and says how many', async () => {
    const { port, closed } = await connected();
    expect(await resetClientConnections('127.0.0.1', port, new Deadline(5000))).toBe(
      `reset 1 client connection to 127.0.0.1:${port} (they led to the old primary)`,
    );
    await closed;
  });

  it('leaves connections to any other port alone', async () => {
    const target = await connected();
    const other = await connected();
    await resetClientConnections('127.0.0.1', target.port, new Deadline(5000));
    await target.closed;
    // The other connection still carries data both ways.
    const echo = new Promise<string>((resolve) => other.client.once('data', (d) => resolve(d.toString())));
    other.client.write('still here');
    expect(await echo).toBe('still here');
  });

  it('with no client_vip does nothing', async () => {
    expect(await resetClientConnections('', 3306, new Deadline(5000))).toBeUndefined();
  });
});
