/**
 * Keystone tokens kept between monitor runs, so that a depth-10 monitor costs Keystone one token per
 * token lifetime instead of one per run. One root-only file per identity and auth URL under the
 * agents' state directory (HA_RSCTMP): `tsha-keystone-tokens/<key>.json`, the key a hash of the auth
 * URL, the identity and scope fields and a hash of the password (a changed password never reuses a
 * token). The file holds the token and its lifetime, never the password; the token itself never goes
 * in argv, a log line or an exit reason. A file that is corrupt, unreadable or not private is ignored:
 * the monitor issues a new token, as it would without a cache.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readPrivateFile, removePrivateFile, writePrivateFile } from '../process/private-file.ts';
import type { Credentials } from './credentials.ts';
import type { IssuedToken } from './keystone.ts';

export const TOKEN_FOLDER = 'tsha-keystone-tokens';

function sha256(text: string): string {
  // Loaded here only: no other action of the agent needs node:crypto.
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(text).digest('hex');
}

/** The cache key of one identity at one auth URL: every field that changes the token, the secret only hashed. */
export function tokenCacheKey(c: Credentials): string {
  const secret = c.method === 'application_credential' ? c.applicationCredentialSecret : c.password;
  return sha256(
    JSON.stringify([
      c.authUrl,
      c.method,
      c.username ?? '',
      c.userDomainName,
      c.userDomainId ?? '',
      c.projectName ?? '',
      c.projectDomainName,
      c.projectDomainId ?? '',
      c.applicationCredentialId ?? '',
      sha256(secret ?? ''),
    ]),
  );
}

export function tokenCacheFile(stateDir: string, c: Credentials): string {
  return join(stateDir, TOKEN_FOLDER, `${tokenCacheKey(c)}.json`);
}

/**
 * How long before its expiry a token is given up: the larger of a minute and a tenth of its lifetime,
 * so that a monitor never presents a token that expires while the service checks it (and Keystone's
 * and this node's clocks may differ by a little).
 */
export function renewalMargin(lifetimeMs: number): number {
  return Math.max(60_000, lifetimeMs / 10);
}

/** What the file holds: the token, and on this node's clock when it was received and when it expires. */
interface Entry {
  readonly token: string;
  readonly version: 'v3' | 'v2.0';
  readonly receivedAt: number;
  readonly expiresAt: number;
}

/**
 * A token's expiry on this node's clock: its lifetime as Keystone states it (expires_at − issued_at)
 * counted from when it arrived here, so a skew between the clocks does not matter; Keystone's
 * expires_at as it is when the answer has no issued_at. Undefined without an expiry: not cached.
 */
export function localExpiry(issued: IssuedToken, receivedAt: number): number | undefined {
  if (issued.expiresAt === undefined) return undefined;
  return issued.issuedAt === undefined ? issued.expiresAt : receivedAt + (issued.expiresAt - issued.issuedAt);
}

/** A token usable in an HTTP header: visible ASCII only (a corrupt file must not break the request). */
const HEADER_SAFE = /^[\x21-\x7e]{1,16384}$/;

function parseEntry(text: string): Entry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const e = v as Partial<Entry> | null;
  if (typeof e !== 'object' || e === null) return undefined;
  if (typeof e.token !== 'string' || !HEADER_SAFE.test(e.token)) return undefined;
  if (e.version !== 'v3' && e.version !== 'v2.0') return undefined;
  if (!Number.isFinite(e.receivedAt) || !Number.isFinite(e.expiresAt)) return undefined;
  return { token: e.token, version: e.version, receivedAt: e.receivedAt!, expiresAt: e.expiresAt! };
}

/** Is a token received at `receivedAt` and expiring at `expiresAt` still to be used at `now`? */
export function stillFresh(e: { receivedAt: number; expiresAt: number }, now: number): boolean {
  // A clock that went back past the receipt makes the age unknowable: issue a new one.
  if (now < e.receivedAt || e.expiresAt <= e.receivedAt) return false;
  return now < e.expiresAt - renewalMargin(e.expiresAt - e.receivedAt);
}

/**
 * Removes the files of other identities whose tokens have expired or that hold no token (an old
 * password's, a removed resource's): run when a token is stored, about once per token lifetime.
 * Temporary files are left alone: another monitor may be writing one.
 */
function prune(folder: string, keep: string, now: number): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.endsWith('.json') || name === keep) continue;
    const text = readPrivateFile(join(folder, name));
    const e = text === undefined ? undefined : parseEntry(text);
    if (!e || e.expiresAt <= now) removePrivateFile(join(folder, name));
  }
}

export interface TokenCache {
  /** The cached token if it is still fresh, else undefined. */
  read(): { readonly issued: IssuedToken; readonly expiresInMs: number } | undefined;
  /** Keeps a token just issued (received at `receivedAt`); false when it has no expiry or the file could not be written. */
  store(issued: IssuedToken, receivedAt: number): boolean;
  /** Forgets the cached token (the service refused it). */
  drop(): void;
}

export function tokenCache(stateDir: string, c: Credentials, now: () => number = Date.now): TokenCache {
  const file = tokenCacheFile(stateDir, c);
  return {
    read() {
      const text = readPrivateFile(file);
      const e = text === undefined ? undefined : parseEntry(text);
      const at = now();
      if (!e || !stillFresh(e, at)) return undefined;
      return { issued: { token: e.token, version: e.version }, expiresInMs: e.expiresAt - at };
    },
    store(issued, receivedAt) {
      const expiresAt = localExpiry(issued, receivedAt);
      if (expiresAt === undefined || !stillFresh({ receivedAt, expiresAt }, receivedAt)) return false;
      const entry: Entry = { token: issued.token, version: issued.version, receivedAt, expiresAt };
      try {
        writePrivateFile(file, `${JSON.stringify(entry)}\n`);
        prune(dirname(file), basename(file), receivedAt);
        return true;
      } catch {
        return false;
      }
    },
    drop() {
      removePrivateFile(file);
    },
  };
}
