/**
 * Keystone tokens for the depth-10 checks, over plain HTTP with the deadline's timeouts: v3 password
 * or application-credential auth, and v2.0 only where the configured auth URL says so. The password
 * goes in the request body only — never in argv, a log line or an exit reason.
 */
import type { Credentials } from './credentials.ts';
import { header, HttpTransportError, httpRequest, type TlsOptions } from './http-client.ts';

/** Why no token was issued. `unavailable`: Keystone did not answer properly; `rejected`: it said no. */
export class TokenError extends Error {
  readonly kind: 'unavailable' | 'rejected';
  constructor(kind: 'unavailable' | 'rejected', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenError';
    this.kind = kind;
  }
}

function domain(name: string, id: string | undefined): { id: string } | { name: string } {
  return id ? { id } : { name };
}

/** The JSON body of POST /v3/auth/tokens (or /v2.0/tokens). */
export function tokenRequestBody(c: Credentials): { path: string; body: unknown } {
  if (c.authUrl.endsWith('/v2.0')) {
    return {
      path: '/tokens',
      body: {
        auth: {
          passwordCredentials: { username: c.username, password: c.password },
          ...(c.projectName ? { tenantName: c.projectName } : {}),
        },
      },
    };
  }
  const identity =
    c.method === 'application_credential'
      ? {
          methods: ['application_credential'],
          application_credential: { id: c.applicationCredentialId, secret: c.applicationCredentialSecret },
        }
      : {
          methods: ['password'],
          password: { user: { name: c.username, domain: domain(c.userDomainName, c.userDomainId), password: c.password } },
        };
  // An application credential carries its own scope; a password login is scoped to its project.
  const scope =
    c.method === 'password' && c.projectName
      ? { scope: { project: { name: c.projectName, domain: domain(c.projectDomainName, c.projectDomainId) } } }
      : {};
  return { path: '/auth/tokens', body: { auth: { identity, ...scope } } };
}

function who(c: Credentials): string {
  return c.method === 'application_credential' ? `application credential ${c.applicationCredentialId}` : `user ${c.username}`;
}

export interface IssuedToken {
  readonly token: string;
  readonly version: 'v3' | 'v2.0';
  /** When Keystone says the token expires and when it issued it (ms since the epoch, Keystone's clock), if it says. */
  readonly expiresAt?: number;
  readonly issuedAt?: number;
}

function time(text: unknown): number | undefined {
  const ms = typeof text === 'string' ? Date.parse(text) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** The body's token object (v3 `token`, v2.0 `access.token`), or undefined when the body is no JSON. */
function tokenObject(body: string, version: 'v3' | 'v2.0'): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const holder = version === 'v3' ? parsed : (parsed as { access?: unknown } | null)?.access;
  const token = (holder as { token?: unknown } | null | undefined)?.token;
  return typeof token === 'object' && token !== null ? (token as Record<string, unknown>) : undefined;
}

/** expires_at and issued_at of a v3 token response (expires and issued_at in v2.0). */
function lifetime(t: Record<string, unknown> | undefined, version: 'v3' | 'v2.0'): { expiresAt?: number; issuedAt?: number } {
  const expiresAt = time(t?.[version === 'v3' ? 'expires_at' : 'expires']);
  const issuedAt = time(t?.issued_at);
  return { ...(expiresAt !== undefined ? { expiresAt } : {}), ...(issuedAt !== undefined ? { issuedAt } : {}) };
}

export async function issueToken(c: Credentials, o: { timeoutMs: number; tls: TlsOptions }): Promise<IssuedToken> {
  const { path, body } = tokenRequestBody(c);
  const url = `${c.authUrl}${path}`;
  const v2 = c.authUrl.endsWith('/v2.0');
  let response;
  try {
    // nocatalog: the monitor needs no service catalog, and Keystone need not build one.
    response = await httpRequest(v2 ? url : `${url}?nocatalog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: o.timeoutMs,
      tls: o.tls,
    });
  } catch (error) {
    // An empty reply is what keystone under uwsgi gives when its database is down.
    if (error instanceof HttpTransportError)
      throw new TokenError('unavailable', `Keystone at ${url} gave no answer (${error.code})`, { cause: error });
    throw error;
  }
  if (response.status === 401 || response.status === 403) {
    throw new TokenError('rejected', `Keystone refused the credentials of ${who(c)} from ${c.source} (HTTP ${response.status})`);
  }
  if (response.status >= 500) throw new TokenError('unavailable', `Keystone at ${url} answers HTTP ${response.status}`);
  if (response.status !== 201 && response.status !== 200) {
    throw new TokenError(
      'rejected',
      `Keystone at ${url} answers HTTP ${response.status} to a token request for ${who(c)} from ${c.source}`,
    );
  }
  if (v2) {
    const t = tokenObject(response.body, 'v2.0');
    const token = typeof t?.id === 'string' && t.id !== '' ? t.id : undefined;
    if (!token) throw new TokenError('unavailable', `Keystone at ${url} answered without a token`);
    return { token, version: 'v2.0', ...lifetime(t, 'v2.0') };
  }
  const token = header(response, 'x-subject-token');
  if (!token) throw new TokenError('unavailable', `Keystone at ${url} answered ${response.status} without X-Subject-Token`);
  return { token, version: 'v3', ...lifetime(tokenObject(response.body, 'v3'), 'v3') };
}

/** Keystone's own depth-10 question: does it validate the token it just issued? (GET /v3/auth/tokens) */
export async function validateToken(authUrl: string, issued: IssuedToken, o: { timeoutMs: number; tls: TlsOptions }): Promise<void> {
  const url = issued.version === 'v3' ? `${authUrl}/auth/tokens` : `${authUrl}/tokens/${issued.token}`;
  let response;
  try {
    response = await httpRequest(url, {
      method: 'GET',
      headers: {
        'x-auth-token': issued.token,
        ...(issued.version === 'v3' ? { 'x-subject-token': issued.token } : {}),
        accept: 'application/json',
      },
      timeoutMs: o.timeoutMs,
      tls: o.tls,
      maxBody: 1024,
    });
  } catch (error) {
    if (error instanceof HttpTransportError)
      throw new TokenError('unavailable', `Keystone gave no answer validating a token (${error.code})`, { cause: error });
    throw error;
  }
  // 5xx is Keystone's database or cache failing (a failover); any other refusal of a token it has just
  // issued is Keystone itself at fault (fernet keys that differ between controllers).
  if (response.status >= 500)
    throw new TokenError('unavailable', `Keystone does not validate the token it issued (HTTP ${response.status})`);
  if (response.status !== 200) throw new TokenError('rejected', `Keystone does not validate the token it issued (HTTP ${response.status})`);
}
