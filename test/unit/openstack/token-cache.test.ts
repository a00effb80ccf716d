import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Credentials } from '../../../shared/openstack/credentials.ts';
import {
  localExpiry,
  renewalMargin,
  TOKEN_FOLDER,
  tokenCache,
  tokenCacheFile,
  tokenCacheKey,
} from '../../../shared/openstack/token-cache.ts';
import { readPrivateFile, writePrivateFile } from '../../../shared/process/private-file.ts';
import { useTempDirs } from '../helpers.ts';

const tempDir = useTempDirs('tsha-token-cache-');

const glance: Credentials = {
  authUrl: 'http://k:5000/v3',
  method: 'password',
  username: 'glance',
  password: 'secret-pw-77',
  projectName: 'service',
  userDomainName: 'Default',
  projectDomainName: 'Default',
  source: 'test',
};

const HOUR = 3_600_000;
const T0 = Date.parse('2025-01-01T12:00:00Z');
/** A one-hour token as Keystone describes it, its clock `skew` ms ahead of this node's. */
const issued = (token = 'gAAAA-token-1', skew = 0) => ({
  token,
  version: 'v3' as const,
  issuedAt: T0 + skew,
  expiresAt: T0 + skew + HOUR,
});

function clock(start = T0): { now: () => number; set(ms: number): void } {
  let t = start;
  return { now: () => t, set: (ms) => (t = ms) };
}

describe('the Keystone token cache', () => {
  it('a cached token is reused until shortly before it expires', () => {
    const dir = tempDir();
    const c = clock();
    const cache = tokenCache(dir, glance, c.now);
    expect(cache.read()).toBeUndefined();
    expect(cache.store(issued(), T0)).toBe(true);
    c.set(T0 + 1000);
    expect(cache.read()?.issued).toEqual({ token: 'gAAAA-token-1', version: 'v3' });
    // A one-hour token is given up 6 minutes (a tenth of its lifetime) before it expires.
    c.set(T0 + HOUR - 6 * 60_000 - 1);
    expect(cache.read()?.issued.token).toBe('gAAAA-token-1');
    c.set(T0 + HOUR - 6 * 60_000);
    expect(cache.read()).toBeUndefined();
  });

  it('the margin before expiry is a minute for short tokens and a tenth of the lifetime for long ones', () => {
    expect(renewalMargin(5 * 60_000)).toBe(60_000);
    expect(renewalMargin(HOUR)).toBe(6 * 60_000);
    expect(renewalMargin(24 * HOUR)).toBe(2.4 * HOUR);
  });

  it("the lifetime (expires_at − issued_at) is counted on this node's clock: a skewed Keystone clock does not matter", () => {
    expect(localExpiry(issued('t', 2 * HOUR), T0)).toBe(T0 + HOUR);
    expect(localExpiry(issued('t', -2 * HOUR), T0)).toBe(T0 + HOUR);
    // Without issued_at, expires_at is all there is.
    expect(localExpiry({ token: 't', version: 'v3', expiresAt: T0 + HOUR }, T0 - 5000)).toBe(T0 + HOUR);
    const dir = tempDir();
    const c = clock();
    const cache = tokenCache(dir, glance, c.now);
    cache.store(issued('t', 3 * HOUR), T0);
    c.set(T0 + 30 * 60_000);
    expect(cache.read()?.issued.token).toBe('t');
  });

  it('a token without an expiry, or one too short to outlive its margin, is not cached', () => {
    const dir = tempDir();
    const cache = tokenCache(dir, glance, () => T0);
    expect(cache.store({ token: 't', version: 'v3' }, T0)).toBe(false);
    expect(cache.store({ token: 't', version: 'v3', issuedAt: T0, expiresAt: T0 + 30_000 }, T0)).toBe(false);
    expect(cache.read()).toBeUndefined();
  });

  it('a clock that went back past the time the token was received makes it unusable', () => {
    const dir = tempDir();
    const c = clock();
    const cache = tokenCache(dir, glance, c.now);
    cache.store(issued(), T0);
    c.set(T0 - 1000);
    expect(cache.read()).toBeUndefined();
  });

  it('the cache file is mode 0600 in a 0700 folder and holds no password', () => {
    const dir = tempDir();
    tokenCache(dir, glance, () => T0).store(issued(), T0);
    const folder = join(dir, TOKEN_FOLDER);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const [name] = readdirSync(folder);
    const file = join(folder, name!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('gAAAA-token-1');
    expect(text).not.toContain('secret-pw-77');
    expect(name).not.toContain('secret-pw-77');
    expect(name).toBe(`${tokenCacheKey(glance)}.json`);
  });

  it('an existing state folder that is too open is made 0700; no temporary file is left behind', () => {
    const dir = tempDir();
    mkdirSync(join(dir, TOKEN_FOLDER), { mode: 0o755 });
    chmodSync(join(dir, TOKEN_FOLDER), 0o755);
    tokenCache(dir, glance, () => T0).store(issued(), T0);
    expect(statSync(join(dir, TOKEN_FOLDER)).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(dir, TOKEN_FOLDER))).toEqual([`${tokenCacheKey(glance)}.json`]);
  });

  it('the key is per identity and auth URL: a changed password, user, project, domain or URL reuses no token', () => {
    const key = tokenCacheKey(glance);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenCacheKey({ ...glance, source: 'elsewhere' })).toBe(key);
    for (const other of [
      { ...glance, password: 'secret-pw-78' },
      { ...glance, username: 'nova' },
      { ...glance, projectName: 'admin' },
      { ...glance, userDomainName: 'ldap' },
      { ...glance, projectDomainId: 'default' },
      { ...glance, authUrl: 'http://k2:5000/v3' },
      { ...glance, method: 'application_credential' as const, applicationCredentialId: 'a', applicationCredentialSecret: 's' },
    ])
      expect(tokenCacheKey(other)).not.toBe(key);
    expect(
      tokenCacheKey({ ...glance, method: 'application_credential', applicationCredentialId: 'a', applicationCredentialSecret: 's1' }),
    ).not.toBe(
      tokenCacheKey({ ...glance, method: 'application_credential', applicationCredentialId: 'a', applicationCredentialSecret: 's2' }),
    );
  });

  it('a corrupt, truncated or tampered cache file is ignored, never an error', () => {
    const dir = tempDir();
    const file = tokenCacheFile(dir, glance);
    const cache = tokenCache(dir, glance, () => T0 + 1000);
    const entry = { token: 'tok', version: 'v3', receivedAt: T0, expiresAt: T0 + HOUR };
    for (const text of [
      '',
      '{"token": "tok", "vers',
      'null',
      '[]',
      JSON.stringify({ ...entry, token: 'tok\r\nx-evil: 1' }),
      JSON.stringify({ ...entry, version: 'v4' }),
      JSON.stringify({ ...entry, expiresAt: 'soon' }),
      '\u0000\u0001binary',
    ]) {
      writePrivateFile(file, text);
      expect(cache.read(), text).toBeUndefined();
    }
    writePrivateFile(file, JSON.stringify(entry));
    expect(cache.read()?.issued.token).toBe('tok');
  });

  it('a cache file another user could read or write, or a symbolic link, is not trusted', () => {
    const dir = tempDir();
    const file = tokenCacheFile(dir, glance);
    const cache = tokenCache(dir, glance, () => T0 + 1000);
    cache.store(issued(), T0);
    chmodSync(file, 0o644);
    expect(cache.read()).toBeUndefined();
    chmodSync(file, 0o600);
    expect(cache.read()).toBeDefined();
    const elsewhere = join(dir, 'elsewhere.json');
    writeFileSync(elsewhere, readFileSync(file), { mode: 0o600 });
    const linked = tokenCacheFile(dir, { ...glance, username: 'nova' });
    process.getBuiltinModule('node:fs').symlinkSync(elsewhere, linked);
    expect(readPrivateFile(linked)).toBeUndefined();
  });

  it("storing a token removes other identities' expired or empty files (an old password's), never a fresh one", () => {
    const dir = tempDir();
    const oldPassword = tokenCache(dir, { ...glance, password: 'old' }, () => T0);
    oldPassword.store(issued('old-token'), T0 - 2 * HOUR);
    const nova = tokenCache(dir, { ...glance, username: 'nova' }, () => T0);
    nova.store(issued('nova-token'), T0 - 1000);
    const junk = join(dir, TOKEN_FOLDER, 'junk.json');
    writePrivateFile(junk, 'not json');
    const writing = join(dir, TOKEN_FOLDER, 'x.json.123.tmp');
    writePrivateFile(writing, '');
    tokenCache(dir, glance, () => T0).store(issued(), T0);
    expect(readdirSync(join(dir, TOKEN_FOLDER)).sort()).toEqual(
      [`${tokenCacheKey(glance)}.json`, `${tokenCacheKey({ ...glance, username: 'nova' })}.json`, 'x.json.123.tmp'].sort(),
    );
  });

  it('drop forgets the token; a state directory that cannot be written only means no cache', () => {
    const dir = tempDir();
    const cache = tokenCache(dir, glance, () => T0 + 1000);
    cache.store(issued(), T0);
    cache.drop();
    expect(cache.read()).toBeUndefined();
    cache.drop();
    const notAFolder = join(dir, 'file');
    writeFileSync(notAFolder, '');
    expect(tokenCache(notAFolder, glance, () => T0).store(issued(), T0)).toBe(false);
  });
});
