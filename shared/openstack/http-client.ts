/**
 * The curl-free HTTP client of the OpenStack agents, on Node's own http/https. Every phase has its
 * own timeout taken from the action's deadline, as undici does it — connect, response headers, body —
 * and transport failures become a code a monitor can name. Not undici itself: loading it and compiling
 * its WASM parser costs 60–80 ms per agent run here, node:http about 4 ms.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export interface TlsOptions {
  /** CA bundle (PEM) that signs the endpoint's certificate. */
  readonly ca?: string;
  /** Client certificate and key (PEM), for endpoints that require one. */
  readonly cert?: string;
  readonly key?: string;
  readonly insecure?: boolean;
}

export interface HttpRequest {
  readonly method?: 'GET' | 'POST' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The whole exchange, and each phase of it, ends within this. */
  readonly timeoutMs: number;
  readonly tls?: TlsOptions;
  /** Bytes of body kept; the rest is read and dropped (a health page can be large). */
  readonly maxBody?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<IncomingHttpHeaders>;
  readonly body: string;
}

/** The request never got an answer: refused, reset, timed out, TLS refused, or an empty reply. */
export class HttpTransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpTransportError';
    this.code = code;
  }
}

/** A transport failure whose message starts with its code, keeping the original as `cause`. */
export function transportError(code: string, message: string, cause?: unknown): HttpTransportError {
  return new HttpTransportError(code, `${code}: ${message}`, cause === undefined ? undefined : { cause });
}

/** What node:tls (and node:https) take of the options: verify against `ca` unless insecure, present a client certificate. */
export function tlsConnectOptions(tls: TlsOptions): { rejectUnauthorized: boolean; ca?: string; cert?: string; key?: string } {
  return {
    rejectUnauthorized: !tls.insecure,
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
  };
}

export function httpRequest(url: string, r: HttpRequest): Promise<HttpResponse> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  if (!secure && target.protocol !== 'http:')
    return Promise.reject(transportError('EPROTO', `unsupported scheme ${target.protocol} (http: or https:)`));
  const tls = r.tls ?? {};
  const client = secure ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
  const max = r.maxBody ?? 64 * 1024;
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (error: HttpTransportError | undefined, response?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      if (error) {
        request.destroy();
        reject(error);
      } else resolve(response!);
    };
    const request = client.request(target, {
      method: r.method ?? 'GET',
      headers: {
        'user-agent': 'tsha-ocf-agent',
        connection: 'close',
        ...(r.body !== undefined ? { 'content-length': Buffer.byteLength(r.body) } : {}),
        ...(r.headers ?? {}),
      },
      // One connection for one exchange: nothing keeps the agent's process alive afterwards.
      agent: false,
      ...(secure ? tlsConnectOptions(tls) : {}),
    });
    // The overall bound; the socket's idle timeout below bounds each phase (connect, headers, body).
    const overall = setTimeout(
      () => done(transportError('TIMEOUT', `no complete answer from ${target.host} within ${Math.round(r.timeoutMs)} ms`)),
      r.timeoutMs,
    );
    request.setTimeout(r.timeoutMs, () => done(transportError('TIMEOUT', `${target.host} went silent for ${Math.round(r.timeoutMs)} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => {
      // "socket hang up" is a connection closed before any answer: an empty reply.
      const code = error.code === 'ECONNRESET' && /hang up/.test(error.message) ? 'EMPTY_REPLY' : (error.code ?? 'ERROR');
      done(transportError(code, error.message, error));
    });
    request.on('response', (response: IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < max) body += chunk;
      });
      response.on('error', (error: NodeJS.ErrnoException) => done(transportError(error.code ?? 'ERROR', error.message, error)));
      response.on('end', () => done(undefined, { status: response.statusCode ?? 0, headers: response.headers, body: body.slice(0, max) }));
    });
    request.end(r.body);
  });
}

/** A header's single value (repeated headers come as arrays). */
export function header(response: HttpResponse, name: string): string | undefined {
  const v = response.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
