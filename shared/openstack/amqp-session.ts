/**
 * One AMQP connection for a check, opened within the deadline from an oslo.messaging transport_url.
 * Heartbeats off: the connection lives for one check only.
 */
import type { ChannelModel } from 'amqplib';
import type { AmqpTarget } from './transport-url.ts';

export async function openAmqp(target: AmqpTarget, timeoutMs: number): Promise<ChannelModel> {
  const amqp = await import('amqplib');
  return amqp.connect(
    {
      protocol: target.tls ? 'amqps' : 'amqp', hostname: target.hostname, port: target.port, username: target.username,
      password: target.password, vhost: target.vhost, heartbeat: 0,
    },
    // noDelay: the handshake is a ping-pong of small frames; with Nagle each waits out a delayed ACK (~40 ms).
    { timeout: timeoutMs, noDelay: true },
  );
}
