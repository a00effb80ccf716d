import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Deadline } from '../../../shared/ocf/deadline.ts';
import { OCF } from '../../../shared/ocf/exit-codes.ts';
import { Logger, logTargets } from '../../../shared/ocf/log.ts';
import { authenticatedCheck, type CheckContext } from '../../../shared/openstack/checks.ts';
import type { Credentials } from '../../../shared/openstack/credentials.ts';
import { issueToken } from '../../../shared/openstack/keystone.ts';
import { backendRecord } from '../../../shared/openstack/backend-grace.ts';
import { TOKEN_FOLDER, tokenCacheFile } from '../../../shared/openstack/token-cache.ts';
import type { HttpCheck } from '../../../shared/openstack/service-spec.ts';
import { writePrivateFile } from '../../../shared/process/private-file.ts';
import { useTempDirs } from '../helpers.ts';

const tempDir = useTempDirs('tsha-auth-check-');
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/**
 * A Keystone that issues one-hour tokens `tok-1`, `tok-2`… and counts them, and a service behind it
 * that accepts the tokens in `valid` (all issued ones unless revoked) and otherwise answers `refusal`.
 */
async function cloud(o: { lifetimeMs?: number } = {}) {
  const state = {
    issued: 0,
    posts: [] as string[],
    valid: new Set<string>(),
    refusal: 401,
    keystoneDown: false,
    // What Keystone answers a token validation with, when not 200/404 by the token.
    validationStatus: undefined as number | undefined,
    serviceStatus: 200,
    // The service takes the request and never answers (waiting on its database).
    serviceSilent: false,
  };
  const keystone = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (state.keystoneDown) res.writeHead(503).end();
      else if (req.method === 'POST') {
        state.posts.push(req.url ?? '');
        const token = `tok-${++state.issued}`;
        state.valid.add(token);
        const now = Date.now();
        res.writeHead(201, { 'x-subject-token': token, 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            token: { issued_at: new Date(now).toISOString(), expires_at: new Date(now + (o.lifetimeMs ?? 3_600_000)).toISOString() },
          }),
        );
      } else res.writeHead(state.validationStatus ?? (state.valid.has(String(req.headers['x-subject-token'])) ? 200 : 404)).end();
    });
  });
  const service = createServer((req, res) => {
    if (state.serviceSilent) return;
    const token = String(req.headers['x-auth-token']);
    res.writeHead(state.valid.has(token) ? state.serviceStatus : state.refusal).end('{}');
  });
  const port = async (s: Server) => {
    servers.push(s);
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    return (s.address() as AddressInfo).port;
  };
  const credentials: Credentials = {
    authUrl: `http://127.0.0.1:${await port(keystone)}/v3`,
    method: 'password',
    username: 'glance',
    password: 'servicepass-9',
    projectName: 'service',
    userDomainName: 'Default',
    projectDomainName: 'Default',
    source: 'the os_* parameters',
  };
  return { state, credentials, url: `http://127.0.0.1:${await port(service)}/healthcheck` };
}

const glanceCheck: HttpCheck = { kind: 'http', url: '', authenticated: { kind: 'get', path: 'v2/images?limit=1' } };
const keystoneCheck: HttpCheck = { kind: 'http', url: '', authenticated: { kind: 'token' } };

function context(stateDir: string | undefined, service = 'glance-api', deadlineMs = 10_000): { c: CheckContext; debugLog: string } {
  const debugLog = join(tempDir(), 'debug.log');
  const log = new Logger('test', logTargets({ HA_debug: '1', HA_DEBUGLOG: debugLog, HA_LOGFACILITY: 'none' }, false));
  return { c: { deadline: new Deadline(deadlineMs), log, service, ...(stateDir ? { stateDir } : {}) }, debugLog };
}

describe('depth 10 of an API service with the token cache (authenticatedCheck)', () => {
  it('N depth-10 checks of a service issue one token', async () => {
    const { state, credentials, url } = await cloud();
    const dir = tempDir();
    for (let i = 0; i < 5; i++) expect(await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {})).toBeUndefined();
    expect(state.issued).toBe(1);
    expect(state.posts).toEqual(['/v3/auth/tokens?nocatalog']);
  });

  it('a 401 with a cached token re-issues once and retries', async () => {
    const { state, credentials, url } = await cloud();
    const dir = tempDir();
    expect(await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {})).toBeUndefined();
    state.valid.delete('tok-1'); // revoked
    expect(await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {})).toBeUndefined();
    expect(state.issued).toBe(2);
    // The new token replaced the revoked one in the cache.
    expect(readFileSync(tokenCacheFile(dir, credentials), 'utf8')).toContain('tok-2');
    expect(await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {})).toBeUndefined();
    expect(state.issued).toBe(2);
  });

  it('a service that refuses the new token too fails, after exactly one retry', async () => {
    const { state, credentials, url } = await cloud();
    const dir = tempDir();
    await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {});
    state.serviceStatus = 401;
    const problem = await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {});
    expect(problem).toEqual({
      code: OCF.ERR_GENERIC,
      reason: expect.stringMatching(/answers HTTP 401 .*rejects a token Keystone just issued/),
    });
    expect(state.issued).toBe(2);
  });

  it('a 503 to a cached token while Keystone is down is DEGRADED, as without a cache — never a failure of the service', async () => {
    const { state, credentials, url } = await cloud();
    const dir = tempDir();
    await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {});
    // keystonemiddleware cannot validate the token: it answers 503.
    state.keystoneDown = true;
    state.serviceStatus = 503;
    expect(await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {})).toEqual({
      code: OCF.DEGRADED,
      reason: expect.stringMatching(/^glance-api serves, but Keystone .* answers HTTP 503/),
    });
  });

  it("keystone's own depth 10 issues a new token every run and never touches the cache", async () => {
    const { state, credentials, url } = await cloud();
    const dir = tempDir();
    for (let i = 0; i < 3; i++)
      expect(await authenticatedCheck(context(dir, 'keystone').c, keystoneCheck, url, credentials, {})).toBeUndefined();
    expect(state.issued).toBe(3);
    expect(existsSync(join(dir, TOKEN_FOLDER))).toBe(false);
  });

  it("keystone's own depth 10 is DEGRADED, not a failure, when keystone answers but issues no token (its database failing over)", async () => {
    const { state, credentials, url } = await cloud();
    state.keystoneDown = true;
    expect(await authenticatedCheck(context(undefined, 'keystone').c, keystoneCheck, url, credentials, {})).toEqual({
      code: OCF.DEGRADED,
      reason: expect.stringMatching(/^keystone answers but issues no token \(Keystone .* answers HTTP 503\): its database down\?/),
    });
  });

  it("keystone's own depth 10 is DEGRADED when keystone issues a token but answers 5xx validating it (its database failing over)", async () => {
    const { state, credentials, url } = await cloud();
    state.validationStatus = 500;
    expect(await authenticatedCheck(context(undefined, 'keystone').c, keystoneCheck, url, credentials, {})).toEqual({
      code: OCF.DEGRADED,
      reason:
        'keystone issues tokens but cannot validate one (Keystone does not validate the token it issued (HTTP 500)): its database down?',
    });
  });

  it("keystone's own depth 10 fails when keystone refuses to validate the token it just issued (fernet keys that differ)", async () => {
    const { state, credentials, url } = await cloud();
    state.validationStatus = 404;
    expect(await authenticatedCheck(context(undefined, 'keystone').c, keystoneCheck, url, credentials, {})).toEqual({
      code: OCF.ERR_GENERIC,
      reason: 'Keystone does not validate the token it issued (HTTP 404)',
    });
  });

  it('a corrupt cache file is ignored: a new token is issued, cached, and the check passes', async () => {
    const { state, credentials, url } = await cloud();
    const dir = tempDir();
    writePrivateFile(tokenCacheFile(dir, credentials), '{"token": "tok-');
    expect(await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {})).toBeUndefined();
    expect(state.issued).toBe(1);
    expect(JSON.parse(readFileSync(tokenCacheFile(dir, credentials), 'utf8')).token).toBe('tok-1');
  });

  it('a token too short-lived to cache is used and not kept; without a state directory nothing is cached', async () => {
    const short = await cloud({ lifetimeMs: 30_000 });
    const dir = tempDir();
    for (let i = 0; i < 2; i++) await authenticatedCheck(context(dir).c, glanceCheck, short.url, short.credentials, {});
    expect(short.state.issued).toBe(2);
    expect(existsSync(join(dir, TOKEN_FOLDER)) ? readdirSync(join(dir, TOKEN_FOLDER)) : []).toEqual([]);
    const plain = await cloud();
    for (let i = 0; i < 2; i++) await authenticatedCheck(context(undefined).c, glanceCheck, plain.url, plain.credentials, {});
    expect(plain.state.issued).toBe(2);
  });

  it('the token and the password appear in no log line', async () => {
    const { credentials, url } = await cloud();
    const dir = tempDir();
    const logs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { c, debugLog } = context(dir);
      await authenticatedCheck(c, glanceCheck, url, credentials, {});
      logs.push(readFileSync(debugLog, 'utf8'));
    }
    expect(logs[0]).toMatch(/issued a Keystone token and cached it/);
    expect(logs[1]).toMatch(/a cached Keystone token for the os_\* parameters, fresh for \d+ s more/);
    for (const text of logs) {
      expect(text).not.toContain('tok-1');
      expect(text).not.toContain('servicepass-9');
    }
  });
});

describe('depth 10 of an API service that serves while its backend fails (backend_grace)', () => {
  const grace = { seconds: 60, key: 'glance_api' };

  it('a 500 to the authenticated GET is DEGRADED while backend_grace lasts — never a restart for a database failing over', async () => {
    const { state, credentials, url } = await cloud();
    const dir = tempDir();
    state.serviceStatus = 500;
    for (let i = 0; i < 2; i++)
      expect(await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {}, grace)).toEqual({
        code: OCF.DEGRADED,
        reason: expect.stringMatching(
          /^glance-api serves, but answers HTTP 500 to an authenticated GET http:\/\/127\.0\.0\.1:\d+\/v2\/images\?limit=1 for \d+ s: its database down\? \(backend_grace=60 s\)$/,
        ),
      });
  });

  it('a backend failing for the whole grace is a failure, so a service that stays broken is restarted', async () => {
    const { state, credentials, url } = await cloud();
    const dir = tempDir();
    backendRecord(dir, grace.key).since(Date.now() - 61_000);
    state.serviceStatus = 503;
    expect(await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {}, grace)).toEqual({
      code: OCF.ERR_GENERIC,
      reason: expect.stringMatching(/^glance-api answers HTTP 503 to an authenticated GET .* for 61 s$/),
    });
  });

  it('an answer again clears the record: the next failure gets the whole grace', async () => {
    const { state, credentials, url } = await cloud();
    const dir = tempDir();
    backendRecord(dir, grace.key).since(Date.now() - 61_000);
    expect(await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {}, grace)).toBeUndefined();
    state.serviceStatus = 500;
    expect((await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {}, grace))?.code).toBe(OCF.DEGRADED);
  });

  it('with backend_grace=0, or no state directory to time it, a 500 fails at once', async () => {
    const { state, credentials, url } = await cloud();
    state.serviceStatus = 500;
    for (const [dir, g] of [
      [tempDir(), { ...grace, seconds: 0 }],
      [undefined, grace],
    ] as const)
      expect(await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {}, g)).toEqual({
        code: OCF.ERR_GENERIC,
        reason: expect.stringMatching(/^glance-api answers HTTP 500 to an authenticated GET [^ ]+$/),
      });
  });

  it('no answer within the call’s bound is DEGRADED within the grace; a refused connection is a failure at once', async () => {
    const { state, credentials, url } = await cloud();
    const dir = tempDir();
    expect(await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {}, grace)).toBeUndefined();
    state.serviceSilent = true;
    expect(await authenticatedCheck(context(dir, 'glance-api', 700).c, glanceCheck, url, credentials, {}, grace)).toEqual({
      code: OCF.DEGRADED,
      reason: expect.stringMatching(
        /^glance-api serves, but does not answer .* \(TIMEOUT\) for 0 s: its database down\? \(backend_grace=60 s\)$/,
      ),
    });
    const closed = url.replace(/:\d+\//, ':1/');
    expect(await authenticatedCheck(context(dir).c, glanceCheck, closed, credentials, {}, grace)).toEqual({
      code: OCF.ERR_GENERIC,
      reason: expect.stringMatching(/^glance-api does not answer http:\/\/127\.0\.0\.1:1\/v2\/images\?limit=1 \(ECONNREFUSED\)$/),
    });
  });

  it('401 and 403 are failures at once, whatever the grace: a restart or the operator must fix them', async () => {
    const { state, credentials, url } = await cloud();
    const dir = tempDir();
    for (const status of [401, 403]) {
      state.serviceStatus = status;
      expect((await authenticatedCheck(context(dir).c, glanceCheck, url, credentials, {}, grace))?.code).toBe(OCF.ERR_GENERIC);
    }
  });
});

describe('issueToken and the token lifetime', () => {
  it('reads expires_at and issued_at from the v3 body, and asks for no catalog', async () => {
    const { state, credentials } = await cloud();
    const t = await issueToken(credentials, { timeoutMs: 5000, tls: {} });
    expect(t.token).toBe('tok-1');
    expect(t.expiresAt! - t.issuedAt!).toBe(3_600_000);
    expect(state.posts).toEqual(['/v3/auth/tokens?nocatalog']);
  });

  it('a body without expires_at still gives the token, without a lifetime', async () => {
    const s = createServer((req, res) => {
      req.resume();
      res.writeHead(201, { 'x-subject-token': 'tok-x' }).end('not json');
    });
    servers.push(s);
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    const t = await issueToken(
      {
        authUrl: `http://127.0.0.1:${(s.address() as AddressInfo).port}/v3`,
        method: 'password',
        username: 'u',
        password: 'p',
        userDomainName: 'Default',
        projectDomainName: 'Default',
        source: 's',
      },
      { timeoutMs: 5000, tls: {} },
    );
    expect(t).toEqual({ token: 'tok-x', version: 'v3' });
  });
});
