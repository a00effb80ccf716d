import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseGreeting, readGreeting } from '../../../shared/mysql/greeting.ts';
import { useTempDirs } from '../helpers.ts';

const tempDir = useTempDirs();

/** A MySQL packet: 3-byte little-endian length, sequence id, payload. */
function packet(payload: Buffer, sequence = 0): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = sequence;
  return Buffer.concat([header, payload]);
}

/** A protocol 10 handshake as a server sends it, up to the fields parseGreeting reads and a little beyond. */
function handshake(version: string, connectionId: number): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32LE(connectionId);
  const salt = Buffer.from('abcdefgh\0', 'latin1');
  const capabilities = Buffer.from([0xff, 0xf7, 0x2d, 0x02, 0x00, 0xff, 0x81]);
  return packet(Buffer.concat([Buffer.from([10]), Buffer.from(`${version}\0`, 'latin1'), id, salt, capabilities]));
}

/** An error packet; before the handshake it has no SQL state marker. */
function errorPacket(errno: number, message: string, sqlState?: string): Buffer {
  const code = Buffer.alloc(2);
  code.writeUInt16LE(errno);
  const state = sqlState === undefined ? Buffer.alloc(0) : Buffer.from(`#${sqlState}`, 'latin1');
  return packet(Buffer.concat([Buffer.from([0xff]), code, state, Buffer.from(message, 'utf8')]), 0);
}

describe('parseGreeting', () => {
  it('reads a handshake: protocol 10, the version string and the connection id', () => {
    expect(parseGreeting(handshake('10.11.19-MariaDB-0+deb12u1', 4711))).toEqual({
      kind: 'handshake',
      version: '10.11.19-MariaDB-0+deb12u1',
      connectionId: 4711,
    });
  });

  it('reads a MySQL 8 handshake with a large connection id', () => {
    expect(parseGreeting(handshake('8.4.2', 0xfffffffe))).toEqual({ kind: 'handshake', version: '8.4.2', connectionId: 0xfffffffe });
  });

  it('reads an error packet: errno 1040 "Too many connections"', () => {
    expect(parseGreeting(errorPacket(1040, 'Too many connections'))).toEqual({
      kind: 'error',
      errno: 1040,
      message: 'Too many connections',
    });
  });

  it('reads an error packet that carries a SQL state', () => {
    expect(parseGreeting(errorPacket(1129, "Host '10.0.0.1' is blocked", 'HY000'))).toEqual({
      kind: 'error',
      errno: 1129,
      message: "Host '10.0.0.1' is blocked",
    });
  });

  it('ignores bytes after the packet', () => {
    const bytes = Buffer.concat([handshake('5.7.44', 1), Buffer.from('trailing junk')]);
    expect(parseGreeting(bytes)).toMatchObject({ kind: 'handshake', version: '5.7.44', connectionId: 1 });
  });

  it.each<[string, Buffer, string]>([
    ['a short packet', Buffer.from([1, 0, 0]), 'short packet (3 bytes)'],
    ['another protocol version', packet(Buffer.from([9, 0x35, 0])), 'protocol version 9'],
    ['an HTTP reply (its 5th byte is "/")', Buffer.from('HTTP/1.1 400 Bad Request\r\n'), 'protocol version 47'],
    ['a version without its terminator', packet(Buffer.from([10, 0x38, 0x2e, 0x30])), 'truncated handshake'],
    [
      'a handshake cut before the connection id',
      packet(Buffer.concat([Buffer.from([10]), Buffer.from('8.0\0'), Buffer.from([1, 2])])),
      'truncated handshake',
    ],
  ])('calls %s garbled', (_, bytes, detail) => {
    expect(parseGreeting(bytes)).toEqual({ kind: 'garbled', detail });
  });
});

describe('readGreeting against real sockets', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  /** A server that does `greet` with each connection. */
  async function serve(greet: (socket: Socket) => void, where: { path: string } | { port: 0; host: '127.0.0.1' }): Promise<Server> {
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      greet(socket);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(where, resolve));
    return server;
  }

  function socketPath(): string {
    return join(tempDir(), 'mysqld.sock');
  }

  it('a server that writes a handshake on a unix socket greets', async () => {
    const path = socketPath();
    await serve((s) => s.write(handshake('10.11.19-MariaDB', 12)), { path });
    expect(await readGreeting({ socketPath: path }, 5_000)).toEqual({ kind: 'handshake', version: '10.11.19-MariaDB', connectionId: 12 });
  });

  it('a server that writes a handshake over TCP greets', async () => {
    const server = await serve((s) => s.write(handshake('8.4.2', 99)), { port: 0, host: '127.0.0.1' });
    const port = (server.address() as { port: number }).port;
    expect(await readGreeting({ host: '127.0.0.1', port }, 5_000)).toEqual({ kind: 'handshake', version: '8.4.2', connectionId: 99 });
  });

  it('a handshake that arrives in pieces is put together', async () => {
    const path = socketPath();
    const bytes = handshake('10.6.18-MariaDB', 5);
    await serve(
      (s) => {
        s.write(bytes.subarray(0, 2));
        setTimeout(() => s.write(bytes.subarray(2, 9)), 20);
        setTimeout(() => s.write(bytes.subarray(9)), 40);
      },
      { path },
    );
    expect(await readGreeting({ socketPath: path }, 5_000)).toEqual({ kind: 'handshake', version: '10.6.18-MariaDB', connectionId: 5 });
  });

  it('a server with too many connections answers with error 1040', async () => {
    const path = socketPath();
    await serve((s) => s.end(errorPacket(1040, 'Too many connections')), { path });
    expect(await readGreeting({ socketPath: path }, 5_000)).toEqual({ kind: 'error', errno: 1040, message: 'Too many connections' });
  });

  it('a server that accepts and never writes times out within the given timeout', async () => {
    const path = socketPath();
    await serve(() => undefined, { path });
    const greeting = await readGreeting({ socketPath: path }, 200);
    expect(greeting.kind).toBe('timeout');
    expect(greeting.kind === 'timeout' && greeting.afterMs).toBeGreaterThanOrEqual(150);
    expect(greeting.kind === 'timeout' && greeting.afterMs).toBeLessThan(5_000);
  });

  it('a server that closes without a word is garbled', async () => {
    const path = socketPath();
    await serve((s) => s.end(), { path });
    expect(await readGreeting({ socketPath: path }, 5_000)).toEqual({ kind: 'garbled', detail: 'connection closed before the greeting' });
  });

  it('a server that sends a bad packet is garbled', async () => {
    const path = socketPath();
    await serve((s) => s.write(packet(Buffer.from('nonsense'))), { path });
    expect(await readGreeting({ socketPath: path }, 5_000)).toMatchObject({ kind: 'garbled' });
  });

  it('a missing socket path is refused', async () => {
    expect(await readGreeting({ socketPath: join(tempDir(), 'absent.sock') }, 5_000)).toEqual({ kind: 'refused', detail: 'ENOENT' });
  });

  it('a socket nobody listens on any more is refused', async () => {
    const path = socketPath();
    const server = await serve(() => undefined, { path });
    // Closing a listening unix socket removes its file; a leftover file would say ECONNREFUSED.
    await new Promise((resolve) => server.close(resolve));
    servers.length = 0;
    expect(await readGreeting({ socketPath: path }, 5_000)).toMatchObject({ kind: 'refused' });
  });

  it('a closed TCP port is refused', async () => {
    const server = await serve(() => undefined, { port: 0, host: '127.0.0.1' });
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    servers.length = 0;
    expect(await readGreeting({ host: '127.0.0.1', port }, 5_000)).toEqual({ kind: 'refused', detail: 'ECONNREFUSED' });
  });
});
