/**
 * The service checks, all in-process and bounded by the action's deadline. A service that does not do
 * its job is GENERIC (1), never NOT_RUNNING; DEGRADED (190) when it serves but a dependency it cannot
 * fix by restarting (RabbitMQ, Keystone for another service) is down.
 */
import type { Deadline } from '../ocf/deadline.ts';
import { ConfigurationError } from '../ocf/errors.ts';
import { OCF, type OcfCode } from '../ocf/exit-codes.ts';
import type { Logger } from '../ocf/log.ts';
import { openAmqp } from '../amqp/session.ts';
import type { Credentials, CredentialTls } from './credentials.ts';
import { httpCheck } from './http-check.ts';
import { readInputFile } from './input-file.ts';
import { HttpTransportError, httpRequest, type TlsOptions } from './http-client.ts';
import { issueToken, TokenError, validateToken } from './keystone.ts';
import { PingError, rpcPing } from './rpc-ping.ts';
import type { HttpCheck, RpcCheck } from './service-spec.ts';
import { parseTransportUrl } from './transport-url.ts';

/** Nothing to report, or the code and reason monitor ends with. */
export type Problem = { readonly code: OcfCode; readonly reason: string } | undefined;

export interface CheckContext {
  readonly deadline: Deadline;
  readonly log: Logger;
  readonly service: string;
}

/** TLS options from the parameters, filled in from a clouds.yaml entry or credentials file. */
export function tlsOptions(
  p: { ca_file: string; client_cert: string; client_key: string; insecure: boolean },
  fromCredentials: CredentialTls = {},
): TlsOptions {
  const ca = p.ca_file || fromCredentials.caFile;
  const cert = p.client_cert || fromCredentials.certFile;
  const key = p.client_key || fromCredentials.keyFile;
  return {
    ...(ca ? { ca: readInputFile(ca, 'CA file') } : {}),
    ...(cert ? { cert: readInputFile(cert, 'client certificate') } : {}),
    ...(key ? { key: readInputFile(key, 'client key') } : {}),
    insecure: p.insecure || fromCredentials.insecure === true,
  };
}

/** Depth 0 for an API service: its own endpoint answers below 500. */
export async function endpointCheck(c: CheckContext, url: string, tls: TlsOptions): Promise<Problem> {
  const v = await httpCheck(url, { timeoutMs: c.deadline.budget(5000, `GET ${url}`), ...tls });
  switch (v.kind) {
    case 'alive':
      return undefined;
    case 'server-error':
      return { code: OCF.ERR_GENERIC, reason: `${c.service} answers ${url} with HTTP ${v.status}` };
    case 'unreachable':
      return { code: OCF.ERR_GENERIC, reason: `${c.service} does not answer ${url} (${v.code})` };
  }
}

/**
 * Depth 10 for an API service: a Keystone token, then either its validation (keystone itself) or an
 * authenticated GET of the service's own API.
 */
export async function authenticatedCheck(
  c: CheckContext,
  check: HttpCheck,
  url: string,
  credentials: Credentials,
  tls: TlsOptions,
): Promise<Problem> {
  const auth = check.authenticated;
  let issued;
  try {
    issued = await issueToken(credentials, { timeoutMs: c.deadline.budget(10_000, 'Keystone token request'), tls });
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    // Keystone failing is keystone's own failure, but only a dependency's for every other service.
    if (error.kind === 'unavailable' && auth?.kind !== 'token')
      return { code: OCF.DEGRADED, reason: `${c.service} serves, but ${error.message}` };
    return { code: OCF.ERR_GENERIC, reason: error.message };
  }
  if (auth?.kind === 'token') {
    try {
      await validateToken(credentials.authUrl, issued, { timeoutMs: c.deadline.budget(5000, 'Keystone token validation'), tls });
      return undefined;
    } catch (error) {
      if (error instanceof TokenError) return { code: OCF.ERR_GENERIC, reason: error.message };
      throw error;
    }
  }
  if (auth?.kind !== 'get') return undefined;
  const target = new URL(auth.path, new URL('.', url)).toString();
  let response;
  try {
    response = await httpRequest(target, {
      headers: { 'x-auth-token': issued.token, accept: 'application/json' },
      timeoutMs: c.deadline.budget(10_000, `GET ${target}`),
      tls,
      maxBody: 2048,
    });
  } catch (error) {
    if (error instanceof HttpTransportError)
      return { code: OCF.ERR_GENERIC, reason: `${c.service} does not answer ${target} (${error.code})` };
    throw error;
  }
  if (response.status >= 200 && response.status < 300) return undefined;
  const hint =
    response.status === 401
      ? ': it rejects a token Keystone just issued (check its [keystone_authtoken])'
      : response.status === 403
        ? ": the monitor's account lacks the role this call needs"
        : '';
  return { code: OCF.ERR_GENERIC, reason: `${c.service} answers HTTP ${response.status} to an authenticated GET ${target}${hint}` };
}

export interface RpcInputs {
  readonly transportUrl: string | undefined;
  readonly host: string;
  readonly exchange: string;
  readonly pingEnabled: boolean;
  readonly depth: number;
  readonly configName: string;
}

/**
 * Depth 0 for an RPC service: a consumer on its own queue `<topic>.<host>` (passive declare). Depth 10
 * adds an oslo_rpc_server_ping answered through that queue, when the service enables the ping endpoint.
 */
export async function consumerCheck(c: CheckContext, check: RpcCheck, i: RpcInputs): Promise<Problem> {
  if (!i.transportUrl) throw new ConfigurationError(`no transport_url: set the parameter or [DEFAULT] transport_url in ${i.configName}`);
  const target = parseTransportUrl(i.transportUrl);
  const queue = `${check.topic}.${i.host}`;
  let model;
  try {
    model = await openAmqp(target, c.deadline.budget(5000, 'AMQP connect'));
  } catch (error) {
    // The service runs; its broker does not answer: it cannot work, but restarting it would not help.
    return {
      code: OCF.DEGRADED,
      reason: `${c.service} runs but RabbitMQ at ${target.hostname}:${target.port} is unreachable (${(error as Error).message})`,
    };
  }
  try {
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    let consumers: number;
    try {
      consumers = (await channel.checkQueue(queue)).consumerCount;
    } catch (error) {
      return { code: OCF.ERR_GENERIC, reason: `${c.service}'s queue ${queue} does not exist (${(error as Error).message.split(';')[0]})` };
    }
    if (consumers < 1)
      return { code: OCF.ERR_GENERIC, reason: `no consumer on ${c.service}'s queue ${queue}: the service does not take its RPC calls` };
    if (i.depth < 10) return undefined;
    if (!i.pingEnabled) {
      c.log.debug(`${c.service} does not enable rpc_ping_enabled: depth 10 checks its consumer only`);
      return undefined;
    }
    try {
      await rpcPing(model, { exchange: i.exchange, routingKey: queue, timeoutMs: c.deadline.budget(10_000, 'RPC ping') });
      return undefined;
    } catch (error) {
      if (error instanceof PingError) return { code: OCF.ERR_GENERIC, reason: `${c.service}: ${error.message}` };
      throw error;
    }
  } finally {
    await model.close().catch(() => undefined);
  }
}
