import type { Channel } from 'amqplib';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allProcesses, environmentOf } from '../../shared/process/proc.ts';
import { freePort } from './mariadb.ts';

/** A private broker layout on free ports in a private directory: the agent's parameters point here. */
export interface BrokerLayout {
  readonly dir: string;
  readonly params: Record<string, string>;
  remove(): void;
}

/** Kills whatever still runs of this layout: the broker VM and the epmd it started on its private port. */
function killLayout(nodename: string, epmdPort: number): void {
  for (const p of allProcesses()) {
    const pid = p.pid;
    const ours =
      environmentOf(pid, 'RABBITMQ_NODENAME') === nodename ||
      (/epmd/.test(p.argv[0] ?? '') && environmentOf(pid, 'ERL_EPMD_PORT') === String(epmdPort));
    if (ours) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

export async function brokerLayout(): Promise<BrokerLayout> {
  const dir = mkdtempSync(join(tmpdir(), 'tsha-rabbit-'));
  chmodSync(dir, 0o755);
  const [nodePort, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const nodename = `tsha${nodePort}@localhost`;
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.1 = 127.0.0.1:${nodePort}\nloopback_users = none\n`);
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  return {
    dir,
    params: {
      nodename,
      node_ip: '127.0.0.1',
      node_port: String(nodePort),
      dist_port: String(distPort),
      epmd_port: String(epmdPort),
      config_file: join(dir, 'rabbitmq.conf'),
      enabled_plugins_file: join(dir, 'enabled_plugins'),
      mnesia_base: join(dir, 'mnesia'),
      log_base: join(dir, 'log'),
      pid_file: join(dir, 'run', 'rabbit.pid'),
      password: 'guest',
    },
    remove() {
      killLayout(nodename, epmdPort);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One short-lived AMQP channel to the private broker (guest, from 127.0.0.1). */
export async function withChannel<T>(brokerParams: Readonly<Record<string, string>>, work: (channel: Channel) => Promise<T>): Promise<T> {
  const amqp = await import('amqplib');
  const connection = await amqp.connect({
    protocol: 'amqp',
    hostname: '127.0.0.1',
    port: Number(brokerParams.node_port),
    username: 'guest',
    password: 'guest',
    vhost: '/',
    heartbeat: 0,
  });
  // A channel closed by the broker also emits 'error': the caller's promise already says what happened.
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    return await work(channel);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** How many consumers the broker lists on a queue; undefined when there is no such queue. */
export async function queueConsumers(brokerParams: Readonly<Record<string, string>>, queue: string): Promise<number | undefined> {
  // A passive declare of a missing queue closes the channel with 404: that means no queue, not a failure.
  return withChannel(brokerParams, (channel) =>
    channel.checkQueue(queue).then(
      (q) => q.consumerCount,
      () => undefined,
    ),
  );
}
