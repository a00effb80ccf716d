/**
 * The status code a URL answers a GET with, and nothing more: what a depth-0 API monitor needs. One
 * request on a new connection, read up to its status line, then closed. Spoken over node:net (or
 * node:tls) directly rather than node:http: a Node process making one GET with node:http took 16.7 ms
 * above `node -e 0` here, reading the status line itself 6.5 ms (docs/benchmarks.md), on every run of
 * every API monitor. Transport failures carry the codes of http-client.ts, so a check names them alike.
 */
import type { Socket } from 'node:net';
import { net } from '../ocf/builtins.ts';
import { type HttpTransportError, tlsConnectOptions, transportError, type TlsOptions } from './http-client.ts';

export interface StatusRequest {
  /** The whole exchange ends within this. */
  readonly timeoutMs: number;
  readonly tls?: TlsOptions;
}

/** A status line longer than this, or none in this many bytes, is not an HTTP server answering. */
const MAX_HEAD = 16 * 1024;

export function httpStatus(url: string, r: StatusRequest): Promise<number> {
  let target: URL;
  try {
    target = new URL(url);
  } catch (error) {
    return Promise.reject(transportError('EPROTO', 'the URL does not parse', error));
  }
  const secure = target.protocol === 'https:';
  if (!secure && target.protocol !== 'http:')
    return Promise.reject(transportError('EPROTO', `unsupported scheme ${target.protocol} (http: or https:)`));
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1'); // an IPv6 literal without its brackets
  const port = Number(target.port || (secure ? 443 : 80));
  const request = [
    `GET ${target.pathname}${target.search} HTTP/1.1`,
    `Host: ${target.host}`,
    'User-Agent: tsha-ocf-agent',
    // As node:http would send the URL's user information.
    ...(target.username || target.password
      ? [
          `Authorization: Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`,
        ]
      : []),
    'Connection: close',
    '',
    '',
  ].join('\r\n');

  return new Promise((resolve, reject) => {
    let socket: Socket;
    let settled = false;
    let head = '';
    const done = (error: HttpTransportError | undefined, status?: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      socket.destroy();
      if (error) reject(error);
      else resolve(status!);
    };
    const overall = setTimeout(
      () => done(transportError('TIMEOUT', `no answer from ${target.host} within ${Math.round(r.timeoutMs)} ms`)),
      r.timeoutMs,
    );
    if (secure) {
      socket = process.getBuiltinModule('node:tls').connect({
        host,
        port,
        // SNI names a host, never an address (as node:https does).
        ...(net().isIP(host) === 0 ? { servername: host } : {}),
        ...tlsConnectOptions(r.tls ?? {}),
      });
      socket.once('secureConnect', () => socket.write(request));
    } else {
      socket = net().connect({ host, port });
      socket.once('connect', () => socket.write(request));
    }
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      // An interim 1xx answer (100 Continue, 103 Early Hints) comes with its own header block first.
      for (;;) {
        const line = head.indexOf('\r\n');
        if (line < 0) break;
        const m = /^HTTP\/\d(?:\.\d)? (\d{3})(?: |$)/.exec(head.slice(0, line));
        if (!m) return done(transportError('EPROTO', `${target.host} answered something that is not HTTP`));
        const status = Number(m[1]);
        if (status >= 200 || status === 101) return done(undefined, status);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) break;
        head = head.slice(end + 4);
      }
      if (head.length > MAX_HEAD) done(transportError('EPROTO', `${target.host} sent ${head.length} bytes without a status line`));
    });
    // Closed before a status line (an error settles first): an empty reply, as uwsgi's keystone without
    // its database gives.
    socket.once('close', () => done(transportError('EMPTY_REPLY', `${target.host} closed the connection without an answer`)));
    socket.on('error', (error: NodeJS.ErrnoException) => done(transportError(error.code ?? 'ERROR', error.message, error)));
  });
}
