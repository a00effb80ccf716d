/**
 * The curl-free HTTP client of the OpenStack agents: undici with every timeout taken from the action's
 * deadline (never undici's 300 s defaults), TLS from the agent's parameters, and transport failures
 * turned into a code a monitor can name.
 */
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
  readonly timeoutMs: number;
  readonly tls?: TlsOptions;
  /** Bytes of body kept; the rest is read and dropped (a health page can be large). */
  readonly maxBody?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
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

function transportCode(error: unknown): string {
  const e = error as { code?: string; name?: string; cause?: { code?: string } };
  return e.code ?? e.cause?.code ?? (e.name === 'TimeoutError' || e.name === 'AbortError' ? 'TIMEOUT' : 'ERROR');
}

export async function httpRequest(url: string, r: HttpRequest): Promise<HttpResponse> {
  const { Agent, request } = await import('undici');
  const tls = r.tls ?? {};
  const dispatcher = new Agent({
    connect: {
      timeout: r.timeoutMs,
      rejectUnauthorized: !tls.insecure,
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
    },
    headersTimeout: r.timeoutMs,
    bodyTimeout: r.timeoutMs,
    keepAliveTimeout: 1,
  });
  try {
    const response = await request(url, {
      method: r.method ?? 'GET',
      headers: { 'user-agent': 'tsha-ocf-agent', ...(r.headers ?? {}) },
      ...(r.body !== undefined ? { body: r.body } : {}),
      dispatcher,
      signal: AbortSignal.timeout(r.timeoutMs),
    });
    const max = r.maxBody ?? 64 * 1024;
    let body = '';
    for await (const chunk of response.body) {
      if (body.length < max) body += (chunk as Buffer).toString('utf8');
    }
    return { status: response.statusCode, headers: response.headers, body: body.slice(0, max) };
  } catch (error) {
    const code = transportCode(error);
    throw new HttpTransportError(code, `${code}: ${(error as Error).message ?? String(error)}`, { cause: error });
  } finally {
    // destroy, not close: close would wait for a request to a hung server.
    await dispatcher.destroy().catch(() => undefined);
  }
}

/** A header's single value (undici gives arrays for repeated headers). */
export function header(response: HttpResponse, name: string): string | undefined {
  const v = response.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
