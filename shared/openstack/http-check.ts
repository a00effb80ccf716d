/**
 * The curl-free HTTP check: one GET to the service's own endpoint with undici, every timeout set from
 * the action's deadline (never undici's 300 s defaults). Any answer below 500 means the server serves —
 * a 401/403/404 is still the server speaking; 5xx and transport errors are failures, by their code.
 */
export type HttpVerdict =
  | { readonly kind: 'alive'; readonly status: number }
  | { readonly kind: 'server-error'; readonly status: number }
  | { readonly kind: 'unreachable'; readonly code: string; readonly detail: string };

export interface HttpCheckOptions {
  readonly timeoutMs: number;
  /** CA bundle for https endpoints. */
  readonly ca?: string;
  readonly insecure?: boolean;
}

export async function httpCheck(url: string, o: HttpCheckOptions): Promise<HttpVerdict> {
  const { Agent, request } = await import('undici');
  const dispatcher = new Agent({
    connect: { timeout: o.timeoutMs, rejectUnauthorized: !o.insecure, ...(o.ca ? { ca: o.ca } : {}) },
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
    keepAliveTimeout: 1,
  });
  try {
    const response = await request(url, { method: 'GET', dispatcher, signal: AbortSignal.timeout(o.timeoutMs) });
    await response.body.dump();
    return response.statusCode < 500 ? { kind: 'alive', status: response.statusCode } : { kind: 'server-error', status: response.statusCode };
  } catch (error) {
    const e = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
    const code = e.code ?? e.cause?.code ?? (e.name === 'TimeoutError' || e.name === 'AbortError' ? 'TIMEOUT' : 'ERROR');
    return { kind: 'unreachable', code, detail: e.message ?? String(error) };
  } finally {
    // destroy, not close: close would wait for a request to a hung server.
    await dispatcher.destroy().catch(() => undefined);
  }
}
