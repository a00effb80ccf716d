/**
 * The unauthenticated API check: one GET to the service's own endpoint. Any answer below 500 means the
 * server serves — a 401/403/404 is still the server speaking; 5xx and transport errors are failures,
 * by their code.
 */
import { HttpTransportError, type TlsOptions } from './http-client.ts';
import { httpStatus } from './http-status.ts';

export type HttpVerdict =
  | { readonly kind: 'alive'; readonly status: number }
  | { readonly kind: 'server-error'; readonly status: number }
  | { readonly kind: 'unreachable'; readonly code: string; readonly detail: string };

export interface HttpCheckOptions extends TlsOptions {
  readonly timeoutMs: number;
}

export async function httpCheck(url: string, o: HttpCheckOptions): Promise<HttpVerdict> {
  try {
    // The status line is all this check reads (http-status.ts: no node:http on the most frequent path).
    const status = await httpStatus(url, { timeoutMs: o.timeoutMs, tls: o });
    return status < 500 ? { kind: 'alive', status } : { kind: 'server-error', status };
  } catch (error) {
    if (error instanceof HttpTransportError) return { kind: 'unreachable', code: error.code, detail: error.message };
    throw error;
  }
}
