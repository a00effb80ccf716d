import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpCheck } from '../../../shared/openstack/http-check.ts';
import { header, HttpTransportError, httpRequest } from '../../../shared/openstack/http-client.ts';
import { httpStatus } from '../../../shared/openstack/http-status.ts';
import { useTempDirs } from '../helpers.ts';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function transportError(p: Promise<unknown>): Promise<HttpTransportError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpTransportError);
  return error as HttpTransportError;
}

describe('the HTTP client (node:http, a timeout per exchange)', () => {
  it('returns status, headers and body; sends the body and headers given', async () => {
    const port = await listen(
      createHttpServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          res.writeHead(201, { 'x-subject-token': 'tok', 'content-type': 'application/json' });
          res.end(JSON.stringify({ method: req.method, body, type: req.headers['content-type'] }));
        });
      }),
    );
    const r = await httpRequest(`http://127.0.0.1:${port}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
      timeoutMs: 2000,
    });
    expect(r.status).toBe(201);
    expect(header(r, 'X-Subject-Token')).toBe('tok');
    expect(JSON.parse(r.body)).toEqual({ method: 'POST', body: '{"a":1}', type: 'application/json' });
  });

  it('keeps at most maxBody characters of a large body and still reads it to the end', async () => {
    const port = await listen(createHttpServer((_req, res) => res.end('x'.repeat(100_000))));
    const r = await httpRequest(`http://127.0.0.1:${port}/`, { timeoutMs: 2000, maxBody: 10 });
    expect(r.body).toBe('x'.repeat(10));
  });

  it('a server that accepts and never answers is a TIMEOUT within the budget, not a hang', async () => {
    const port = await listen(createTcpServer(() => undefined));
    const started = Date.now();
    const e = await transportError(httpRequest(`http://127.0.0.1:${port}/`, { timeoutMs: 300 }));
    expect(e.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a refused connection is ECONNREFUSED', async () => {
    const port = await listen(createTcpServer());
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 50));
    expect((await transportError(httpRequest(`http://127.0.0.1:${port}/`, { timeoutMs: 1000 }))).code).toBe('ECONNREFUSED');
  });

  it('a connection closed without an answer is EMPTY_REPLY (keystone under uwsgi without its database)', async () => {
    const port = await listen(createTcpServer((socket) => socket.once('data', () => socket.destroy())));
    expect((await transportError(httpRequest(`http://127.0.0.1:${port}/`, { timeoutMs: 1000 }))).code).toBe('EMPTY_REPLY');
  });

  it('httpCheck: below 500 is alive, 5xx a server error, no answer unreachable with its code', async () => {
    let status = 401;
    const port = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(status);
        res.end();
      }),
    );
    expect(await httpCheck(`http://127.0.0.1:${port}/`, { timeoutMs: 1000 })).toEqual({ kind: 'alive', status: 401 });
    status = 503;
    expect(await httpCheck(`http://127.0.0.1:${port}/`, { timeoutMs: 1000 })).toEqual({ kind: 'server-error', status: 503 });
    expect(await httpCheck('http://127.0.0.1:1/', { timeoutMs: 1000 })).toMatchObject({ kind: 'unreachable', code: 'ECONNREFUSED' });
  });
});

/** A TCP server that answers each connection with `reply` once the request has arrived, and records it. */
async function rawServer(reply: string | undefined, requests: string[] = []): Promise<number> {
  return listen(
    createTcpServer((socket) => {
      let request = '';
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        request += chunk.toString('latin1');
        if (!request.includes('\r\n\r\n')) return;
        requests.push(request);
        if (reply !== undefined) socket.end(reply);
      });
    }),
  );
}

describe('the status probe of depth 0 (one GET, read to its status line, over node:net)', () => {
  it('returns the status of a real HTTP server, below 500 and above', async () => {
    let status = 401;
    const port = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(status);
        res.end('x'.repeat(100_000));
      }),
    );
    expect(await httpStatus(`http://127.0.0.1:${port}/v3`, { timeoutMs: 2000 })).toBe(401);
    status = 503;
    expect(await httpStatus(`http://127.0.0.1:${port}/v3`, { timeoutMs: 2000 })).toBe(503);
  });

  it('asks for the path and query of the URL, names the host with its port, closes the connection, sends the URL user as basic auth', async () => {
    const requests: string[] = [];
    const port = await rawServer('HTTP/1.1 200 OK\r\n\r\n', requests);
    expect(await httpStatus(`http://127.0.0.1:${port}/healthcheck?x=1`, { timeoutMs: 2000 })).toBe(200);
    expect(await httpStatus(`http://mon%40it:s%3Acret@127.0.0.1:${port}/`, { timeoutMs: 2000 })).toBe(200);
    const [plain, withUser] = requests;
    expect(plain).toMatch(new RegExp(`^GET /healthcheck\\?x=1 HTTP/1\\.1\r\nHost: 127\\.0\\.0\\.1:${port}\r\n`));
    expect(plain).toContain('\r\nConnection: close\r\n');
    expect(plain).not.toContain('Authorization');
    expect(withUser).toContain(`\r\nAuthorization: Basic ${Buffer.from('mon@it:s:cret').toString('base64')}\r\n`);
  });

  it('reads past interim 1xx answers to the final status; takes HTTP/1.0 and a status line without a reason', async () => {
    const interim = await rawServer(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n',
    );
    expect(await httpStatus(`http://127.0.0.1:${interim}/`, { timeoutMs: 2000 })).toBe(204);
    const old = await rawServer('HTTP/1.0 404\r\n\r\n');
    expect(await httpStatus(`http://127.0.0.1:${old}/`, { timeoutMs: 2000 })).toBe(404);
  });

  it('an answer that is not HTTP is EPROTO; a connection closed without one is EMPTY_REPLY', async () => {
    const ssh = await rawServer('SSH-2.0-OpenSSH_9.2\r\n');
    expect((await transportError(httpStatus(`http://127.0.0.1:${ssh}/`, { timeoutMs: 2000 }))).code).toBe('EPROTO');
    const closes = await listen(createTcpServer((socket) => socket.once('data', () => socket.destroy())));
    expect((await transportError(httpStatus(`http://127.0.0.1:${closes}/`, { timeoutMs: 2000 }))).code).toBe('EMPTY_REPLY');
  });

  it('a server that accepts and never answers is a TIMEOUT within the budget; a refused connection is ECONNREFUSED', async () => {
    const silent = await rawServer(undefined);
    const started = Date.now();
    expect((await transportError(httpStatus(`http://127.0.0.1:${silent}/`, { timeoutMs: 300 }))).code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await transportError(httpStatus('http://127.0.0.1:1/', { timeoutMs: 1000 }))).code).toBe('ECONNREFUSED');
  });

  it('an IPv6 literal is connected to without its brackets and named with them', async () => {
    const requests: string[] = [];
    const server = createTcpServer((socket) =>
      socket.on('data', (chunk: Buffer) => {
        requests.push(chunk.toString('latin1'));
        socket.end('HTTP/1.1 200 OK\r\n\r\n');
      }),
    );
    servers.push(server);
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(0, '::1', () => resolve(true));
    });
    if (!listening) return; // no IPv6 loopback on this machine
    const port = (server.address() as AddressInfo).port;
    expect(await httpStatus(`http://[::1]:${port}/`, { timeoutMs: 2000 })).toBe(200);
    expect(requests[0]).toContain(`\r\nHost: [::1]:${port}\r\n`);
  });

  it('a URL of another scheme, or none, is EPROTO', async () => {
    expect((await transportError(httpStatus('ftp://127.0.0.1/', { timeoutMs: 1000 }))).code).toBe('EPROTO');
    expect((await transportError(httpStatus('not a url', { timeoutMs: 1000 }))).code).toBe('EPROTO');
  });
});

describe('the HTTP client over TLS', () => {
  const tempDir = useTempDirs();
  let pem: { caKey: string; ca: string; key: string; cert: string; clientKey: string; clientCert: string };

  beforeAll(() => {
    const dir = tempDir();
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=tsha test CA');
    for (const [name, cn] of [
      ['server', '127.0.0.1'],
      ['client', 'monitor'],
    ] as const) {
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      const ext = join(dir, `${name}.ext`);
      execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1\\n' > ${ext}`]);
      ssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-extfile',
        ext,
      );
    }
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    pem = {
      caKey: read('ca.key'),
      ca: read('ca.pem'),
      key: read('server.key'),
      cert: read('server.pem'),
      clientKey: read('client.key'),
      clientCert: read('client.pem'),
    };
  });

  it('verifies the server against the CA given; without it the certificate is refused; insecure skips the check', async () => {
    const port = await listen(createHttpsServer({ key: pem.key, cert: pem.cert }, (_req, res) => res.end('ok')) as unknown as Server);
    const url = `https://127.0.0.1:${port}/`;
    expect((await httpRequest(url, { timeoutMs: 2000, tls: { ca: pem.ca } })).body).toBe('ok');
    expect((await transportError(httpRequest(url, { timeoutMs: 2000 }))).code).toMatch(/CERT|SELF_SIGNED|UNABLE/);
    expect((await httpRequest(url, { timeoutMs: 2000, tls: { insecure: true } })).body).toBe('ok');
  });

  it('presents the client certificate to a server that requires one', async () => {
    const port = await listen(
      createHttpsServer({ key: pem.key, cert: pem.cert, ca: pem.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
        res.end((req.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN ?? 'none');
      }) as unknown as Server,
    );
    const url = `https://127.0.0.1:${port}/`;
    expect((await httpRequest(url, { timeoutMs: 2000, tls: { ca: pem.ca, cert: pem.clientCert, key: pem.clientKey } })).body).toBe(
      'monitor',
    );
    await transportError(httpRequest(url, { timeoutMs: 2000, tls: { ca: pem.ca } }));
  });

  it('the status probe verifies the server against the CA given, refuses it without, and skips the check when insecure', async () => {
    const port = await listen(
      createHttpsServer({ key: pem.key, cert: pem.cert }, (_req, res) => {
        res.writeHead(300);
        res.end();
      }) as unknown as Server,
    );
    const url = `https://127.0.0.1:${port}/`;
    expect(await httpStatus(url, { timeoutMs: 2000, tls: { ca: pem.ca } })).toBe(300);
    expect((await transportError(httpStatus(url, { timeoutMs: 2000 }))).code).toMatch(/CERT|SELF_SIGNED|UNABLE/);
    expect(await httpStatus(url, { timeoutMs: 2000, tls: { insecure: true } })).toBe(300);
  });

  it('the status probe presents the client certificate to a server that requires one', async () => {
    const port = await listen(
      createHttpsServer({ key: pem.key, cert: pem.cert, ca: pem.ca, requestCert: true, rejectUnauthorized: true }, (_req, res) => {
        res.writeHead(204);
        res.end();
      }) as unknown as Server,
    );
    const url = `https://127.0.0.1:${port}/`;
    expect(await httpStatus(url, { timeoutMs: 2000, tls: { ca: pem.ca, cert: pem.clientCert, key: pem.clientKey } })).toBe(204);
    await transportError(httpStatus(url, { timeoutMs: 2000, tls: { ca: pem.ca } }));
  });
});
