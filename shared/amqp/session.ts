/**
 * One AMQP connection for a check (the broker's round trip, an OpenStack service's queue), opened
 * within the deadline. Heartbeats off: the connection lives for one check only.
 */
import type { ChannelModel } from 'amqplib';

export interface AmqpTarget {
  readonly hostname: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly vhost: string;
  readonly tls: boolean;
}

export async function openAmqp(target: AmqpTarget, timeoutMs: number): Promise<ChannelModel> {
  const amqp = await import('amqplib');
  return amqp.connect(
    {
      protocol: target.tls ? 'amqps' : 'amqp',
      hostname: target.hostname,
      port: target.port,
      username: target.username,
      password: target.password,
      vhost: target.vhost,
      heartbeat: 0,
    },
    // noDelay: the handshake is a ping-pong of small frames; with Nagle each waits out a delayed ACK (~40 ms).
    { timeout: timeoutMs, noDelay: true },
  );
}
