/**
 * The service checks, all in-process and bounded by the action's deadline. A service that does not do
 * its job is GENERIC (1), never NOT_RUNNING; DEGRADED (190) when it serves but a dependency it cannot
 * fix by restarting (RabbitMQ, Keystone for another service) is down.
 */
import type { Deadline } from '../ocf/deadline.ts';
import { ConfigurationError, DeadlineError } from '../ocf/errors.ts';
import { OCF, type OcfCode } from '../ocf/exit-codes.ts';
import type { Logger } from '../ocf/log.ts';
import type { ChannelModel } from 'amqplib';
import { openAmqp, type AmqpTarget } from '../amqp/session.ts';
import { lastBrokerRecord, preferLastAnswered } from './broker-preference.ts';
import { backendRecord } from './backend-grace.ts';
import { consumerRecord } from './consumer-grace.ts';
import type { Credentials, CredentialTls } from './credentials.ts';
import { httpCheck } from './http-check.ts';
import { graceVerdict } from './grace.ts';
import { readInputFile } from './input-file.ts';
import { HttpTransportError, httpRequest, type TlsOptions } from './http-client.ts';
import { issueToken, TokenError, validateToken, type IssuedToken } from './keystone.ts';
import { PingError, rpcPing } from './rpc-ping.ts';
import type { HttpCheck, RpcCheck } from './service-spec.ts';
import { tokenCache } from './token-cache.ts';
import { parseTransportUrl, targetName } from './transport-url.ts';

/** Nothing to report, or the code and reason monitor ends with. */
export type Problem = { readonly code: OcfCode; readonly reason: string } | undefined;

export interface CheckContext {
  readonly deadline: Deadline;
  readonly log: Logger;
  readonly service: string;
  /** Where Keystone tokens are kept between runs (the agents' state directory); none: every run issues one. */
  readonly stateDir?: string;
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

/** A token Keystone has just issued, or what the monitor reports when it issued none. */
async function newToken(
  c: CheckContext,
  credentials: Credentials,
  tls: TlsOptions,
  isKeystone: boolean,
): Promise<{ readonly issued: IssuedToken } | { readonly problem: NonNullable<Problem> }> {
  try {
    const issued = await issueToken(credentials, { timeoutMs: c.deadline.budget(10_000, 'Keystone token request'), tls });
    c.log.addSecret(issued.token);
    return { issued };
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    // For every other service Keystone is a dependency. For keystone itself the check gets here only
    // after its endpoint answered: the process serves, and a token it cannot issue (5xx, no answer in
    // time) is what its database does while it fails over — a restart would not bring that back, and
    // restarting keystone on the surviving controller of a failover is what makes the outage long.
    if (error.kind === 'unavailable' && isKeystone)
      return {
        problem: { code: OCF.DEGRADED, reason: `keystone answers but issues no token (${error.message}): its database down?` },
      };
    if (error.kind === 'unavailable') return { problem: { code: OCF.DEGRADED, reason: `${c.service} serves, but ${error.message}` } };
    return { problem: { code: OCF.ERR_GENERIC, reason: error.message } };
  }
}

/** The service's answer to an authenticated GET, or how the request failed. */
async function authenticatedGet(
  c: CheckContext,
  target: string,
  token: string,
  tls: TlsOptions,
): Promise<{ readonly status: number } | { readonly failed: HttpTransportError }> {
  try {
    const response = await httpRequest(target, {
      headers: { 'x-auth-token': token, accept: 'application/json' },
      timeoutMs: c.deadline.budget(10_000, `GET ${target}`),
      tls,
      maxBody: 2048,
    });
    return { status: response.status };
  } catch (error) {
    if (error instanceof HttpTransportError) return { failed: error };
    throw error;
  }
}

const accepted = (status: number) => status >= 200 && status < 300;

/** How long an API service's failing backend is DEGRADED (backend-grace.ts), and whose record times it. */
export interface BackendGrace {
  readonly seconds: number;
  /** The resource instance: each keeps its own record. */
  readonly key: string;
}

/**
 * A failure behind a service that serves (depth 0 passed just before): DEGRADED while backend_grace
 * lasts, then a failure. Without a grace or a record, a failure at once.
 */
function backendFailure(c: CheckContext, grace: BackendGrace | undefined, what: string): NonNullable<Problem> {
  const record = c.stateDir && grace && grace.seconds > 0 ? backendRecord(c.stateDir, grace.key) : undefined;
  const now = Date.now();
  const v = graceVerdict(record?.since(now), now, grace?.seconds ?? 0);
  const seconds = Math.round(v.lastedFor);
  if (v.code === OCF.DEGRADED)
    return {
      code: OCF.DEGRADED,
      reason: `${c.service} serves, but ${what} for ${seconds} s: its database down? (backend_grace=${grace!.seconds} s)`,
    };
  return { code: OCF.ERR_GENERIC, reason: `${c.service} ${what}${seconds > 0 ? ` for ${seconds} s` : ''}` };
}

/**
 * The verdict on an authenticated GET: with a token Keystone has just issued, or with a cached one when
 * it was accepted or got no answer (any other status to a cached token is retried with a new one).
 */
function verdict(
  c: CheckContext,
  target: string,
  answer: { readonly status: number } | { readonly failed: HttpTransportError },
  grace: BackendGrace | undefined,
): Problem {
  if ('failed' in answer) {
    // No answer in time from a process that has just answered its own endpoint: it is waiting on
    // something behind it. Refused or reset: the process itself is not serving.
    const what = `does not answer ${target} (${answer.failed.code})`;
    return answer.failed.code === 'TIMEOUT' ? backendFailure(c, grace, what) : { code: OCF.ERR_GENERIC, reason: `${c.service} ${what}` };
  }
  const status = answer.status;
  if (accepted(status)) {
    if (c.stateDir && grace) backendRecord(c.stateDir, grace.key).clear();
    return undefined;
  }
  if (status >= 500) return backendFailure(c, grace, `answers HTTP ${status} to an authenticated GET ${target}`);
  const hint =
    status === 401
      ? ': it rejects a token Keystone just issued (check its [keystone_authtoken])'
      : status === 403
        ? ": the monitor's account lacks the role this call needs"
        : '';
  return { code: OCF.ERR_GENERIC, reason: `${c.service} answers HTTP ${status} to an authenticated GET ${target}${hint}` };
}

/**
 * Depth 10 for an API service: a Keystone token, then either its validation (keystone itself) or an
 * authenticated GET of the service's own API. Keystone's own check always issues a new token — that
 * is what it checks; every other service reuses a cached one (token-cache.ts) while it is fresh.
 */
export async function authenticatedCheck(
  c: CheckContext,
  check: HttpCheck,
  url: string,
  credentials: Credentials,
  tls: TlsOptions,
  grace?: BackendGrace,
): Promise<Problem> {
  const auth = check.authenticated;
  if (auth?.kind === 'token') {
    const fresh = await newToken(c, credentials, tls, true);
    if ('problem' in fresh) return fresh.problem;
    try {
      await validateToken(credentials.authUrl, fresh.issued, { timeoutMs: c.deadline.budget(5000, 'Keystone token validation'), tls });
      return undefined;
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      // As for a token it cannot issue (newToken): a validation that gets 5xx or no answer in time is its
      // database failing over, and a restart of the serving keystone would only lengthen the outage (seen
      // in the active/active lab: the survivor's keystone restarted on one, 20 s of its 34 s outage).
      if (error.kind === 'unavailable')
        return { code: OCF.DEGRADED, reason: `keystone issues tokens but cannot validate one (${error.message}): its database down?` };
      return { code: OCF.ERR_GENERIC, reason: error.message };
    }
  }
  if (auth?.kind !== 'get') return undefined;
  const target = new URL(auth.path, new URL('.', url)).toString();
  const cache = c.stateDir === undefined ? undefined : tokenCache(c.stateDir, credentials);
  const cached = cache?.read();
  if (cached) {
    c.log.addSecret(cached.issued.token);
    c.log.debug(`a cached Keystone token for ${credentials.source}, fresh for ${Math.round(cached.expiresInMs / 1000)} s more`);
    const answer = await authenticatedGet(c, target, cached.issued.token, tls);
    if ('failed' in answer || accepted(answer.status)) return verdict(c, target, answer, grace);
    // No failure is reported on a cached token: it may have been revoked (401), or the service could
    // not check it (keystonemiddleware answers 503 while Keystone is down, which is DEGRADED, not a
    // failure of the service). Once, with a new token, the check decides as an uncached run would.
    c.log.debug(`${c.service} answers HTTP ${answer.status} to the cached token: dropping it and issuing a new one`);
    cache!.drop();
  }
  const requestedAt = Date.now();
  const fresh = await newToken(c, credentials, tls, false);
  if ('problem' in fresh) return fresh.problem;
  if (cache)
    c.log.debug(cache.store(fresh.issued, requestedAt) ? 'issued a Keystone token and cached it' : 'issued a Keystone token (not cached)');
  return verdict(c, target, await authenticatedGet(c, target, fresh.issued.token, tls), grace);
}

export interface RpcInputs {
  readonly transportUrl: string | undefined;
  readonly host: string;
  readonly exchange: string;
  readonly pingEnabled: boolean;
  readonly depth: number;
  readonly configName: string;
  /** Seconds a missing consumer is DEGRADED before it fails (0: fails at once). */
  readonly reconnectGrace: number;
}

/** No consumer on the queue: DEGRADED while the service may still be reconnecting, then a failure. */
function missingConsumer(c: CheckContext, i: RpcInputs, queue: string, what: string): Problem {
  const record = c.stateDir && i.reconnectGrace > 0 ? consumerRecord(c.stateDir, queue) : undefined;
  const now = Date.now();
  const verdict = graceVerdict(record?.since(now), now, i.reconnectGrace);
  const seconds = Math.round(verdict.lastedFor);
  if (verdict.code === OCF.DEGRADED)
    return { code: OCF.DEGRADED, reason: `${what} for ${seconds} s, within reconnect_grace=${i.reconnectGrace} s (broker moved?)` };
  if (seconds > 0) return { code: OCF.ERR_GENERIC, reason: `${what}: the service does not take its RPC calls (for ${seconds} s)` };
  return { code: OCF.ERR_GENERIC, reason: `${what}: the service does not take its RPC calls` };
}

/**
 * The first broker of the transport_url that answers, as oslo.messaging fails over: with a clustered
 * RabbitMQ the service's queue and its consumer are visible from any member, so a crashed first host
 * must not blind the check. Each host gets a share of what is left, so a dead one (no answer to the SYN)
 * leaves time for the next and for the check itself.
 */
async function openFirstBroker(
  c: CheckContext,
  targets: readonly AmqpTarget[],
): Promise<{ model: ChannelModel; at: string } | { unreachable: string }> {
  const failures: { readonly at: string; readonly error: string }[] = [];
  for (const [k, target] of targets.entries()) {
    const share = c.deadline.remaining() / (targets.length - k + 1);
    try {
      const model = await openAmqp(target, c.deadline.budget(Math.min(5000, Math.max(1000, share)), 'AMQP connect'));
      return { model, at: targetName(target) };
    } catch (error) {
      if (error instanceof DeadlineError) break;
      failures.push({ at: targetName(target), error: (error as Error).message });
      if (k + 1 < targets.length) c.log.debug(`RabbitMQ at ${targetName(target)} does not answer: trying the next host of transport_url`);
    }
  }
  const [only] = failures;
  if (targets.length === 1 && only) return { unreachable: `RabbitMQ at ${only.at} is unreachable (${only.error})` };
  const tried = failures.map((f) => `${f.at} (${f.error})`).join(', ') || 'no time left to try one';
  return { unreachable: `none of the ${targets.length} RabbitMQ hosts of transport_url is reachable: ${tried}` };
}

/**
 * Depth 0 for an RPC service: a consumer on its own queue `<topic>.<host>` (passive declare). Depth 10
 * adds an oslo_rpc_server_ping answered through that queue, when the service enables the ping endpoint.
 */
export async function consumerCheck(c: CheckContext, check: RpcCheck, i: RpcInputs): Promise<Problem> {
  if (!i.transportUrl) throw new ConfigurationError(`no transport_url: set the parameter or [DEFAULT] transport_url in ${i.configName}`);
  const queue = `${check.topic}.${i.host}`;
  const last = c.stateDir ? lastBrokerRecord(c.stateDir, queue) : undefined;
  const remembered = last?.read();
  const opened = await openFirstBroker(c, preferLastAnswered(parseTransportUrl(i.transportUrl), remembered));
  // The service runs; no broker it lists answers: it cannot work, but restarting it would not help.
  if ('unreachable' in opened) return { code: OCF.DEGRADED, reason: `${c.service} runs but ${opened.unreachable}` };
  if (opened.at !== remembered) last?.write(opened.at);
  const model = opened.model;
  try {
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    let consumers: number;
    try {
      consumers = (await channel.checkQueue(queue)).consumerCount;
    } catch (error) {
      return missingConsumer(c, i, queue, `${c.service}'s queue ${queue} does not exist (${(error as Error).message.split(';')[0]})`);
    }
    if (consumers < 1) return missingConsumer(c, i, queue, `no consumer on ${c.service}'s queue ${queue}`);
    if (c.stateDir) consumerRecord(c.stateDir, queue).clear();
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
