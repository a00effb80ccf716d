/**
 * oslo.messaging's RPC ping: a call of `oslo_rpc_server_ping` to the service's own queue
 * `<topic>.<host>` (never the shared topic queue, where another node's server would answer for a dead
 * one), answered "pong" by services running with `[DEFAULT] rpc_ping_enabled = true`. The message is
 * the rabbit driver's 2.0 envelope; the reply comes through the default exchange to a private queue.
 */
import type { ChannelModel, ConsumeMessage } from 'amqplib';

/** node:crypto is loaded by the RPC check only, never by meta-data or another agent's action. */
const randomUUID = (): string => process.getBuiltinModule('node:crypto').randomUUID();

/** The envelope oslo.messaging's rabbit driver publishes for a call (serialize_msg of a packed message). */
export function pingEnvelope(ids: { msgId: string; replyQueue: string; uniqueId: string; requestId: string }): {
  'oslo.version': '2.0';
  'oslo.message': string;
} {
  const message = {
    method: 'oslo_rpc_server_ping',
    args: {},
    version: '1.0',
    _msg_id: ids.msgId,
    _reply_q: ids.replyQueue,
    _timeout: null,
    _unique_id: ids.uniqueId,
    // The request context, packed as _context_* keys; the request id makes the call findable in the service's log.
    _context_request_id: ids.requestId,
    _context_is_admin: false,
    _context_read_deleted: 'no',
  };
  return { 'oslo.version': '2.0', 'oslo.message': JSON.stringify(message) };
}

export type PingReply =
  { readonly kind: 'pong' } | { readonly kind: 'failure'; readonly detail: string } | { readonly kind: 'other'; readonly detail: string };

/** Reads one reply body: either the envelope or a bare message (older drivers), with _msg_id. */
export function readReply(body: string, msgId: string): PingReply | undefined {
  let outer: Record<string, unknown>;
  try {
    outer = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const inner =
    typeof outer['oslo.message'] === 'string' ? (JSON.parse(outer['oslo.message'] as string) as Record<string, unknown>) : outer;
  if (inner._msg_id !== msgId) return undefined;
  if (inner.failure) {
    let detail = String(inner.failure);
    try {
      const f = JSON.parse(String(inner.failure)) as { class?: string; message?: string };
      detail = `${f.class ?? 'error'}: ${f.message ?? ''}`.trim();
    } catch {
      // kept as text
    }
    return { kind: 'failure', detail: detail.slice(0, 300) };
  }
  // An "ending" message without a result follows the result in old drivers: not an answer by itself.
  if (!('result' in inner)) return undefined;
  return inner.result === 'pong' ? { kind: 'pong' } : { kind: 'other', detail: JSON.stringify(inner.result).slice(0, 200) };
}

export class PingError extends Error {
  readonly kind: 'no-route' | 'no-exchange' | 'timeout' | 'failure';
  constructor(kind: PingError['kind'], message: string) {
    super(message);
    this.name = 'PingError';
    this.kind = kind;
  }
}

export async function rpcPing(model: ChannelModel, o: { exchange: string; routingKey: string; timeoutMs: number }): Promise<void> {
  const channel = await model.createChannel();
  channel.on('error', () => undefined);
  try {
    await channel.checkExchange(o.exchange).catch(() => {
      throw new PingError('no-exchange', `exchange ${o.exchange} does not exist on the broker`);
    });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    const msgId = randomUUID().replaceAll('-', '');
    const answer = new Promise<PingReply>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new PingError('timeout', `no answer to oslo_rpc_server_ping on ${o.routingKey} within ${Math.round(o.timeoutMs)} ms`)),
        o.timeoutMs,
      );
      // mandatory: a call nobody's queue is bound for comes back at once instead of timing out.
      channel.on('return', () => {
        clearTimeout(timer);
        reject(new PingError('no-route', `no queue is bound to ${o.exchange}/${o.routingKey}`));
      });
      void channel
        .consume(
          queue,
          (m: ConsumeMessage | null) => {
            if (!m) return;
            const reply = readReply(m.content.toString('utf8'), msgId);
            if (reply) {
              clearTimeout(timer);
              resolve(reply);
            }
          },
          { noAck: true },
        )
        .catch(reject);
    });
    const envelope = pingEnvelope({
      msgId,
      replyQueue: queue,
      uniqueId: randomUUID().replaceAll('-', ''),
      requestId: `req-${randomUUID()}`,
    });
    channel.publish(o.exchange, o.routingKey, Buffer.from(JSON.stringify(envelope)), {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      mandatory: true,
      // An unanswered ping must not wait in the queue for a service that comes back later.
      expiration: String(Math.max(1, Math.round(o.timeoutMs))),
    });
    const reply = await answer;
    if (reply.kind === 'failure') throw new PingError('failure', `oslo_rpc_server_ping failed in the service: ${reply.detail}`);
    if (reply.kind === 'other') throw new PingError('failure', `oslo_rpc_server_ping answered ${reply.detail}, not "pong"`);
  } finally {
    await channel.close().catch(() => undefined);
  }
}
