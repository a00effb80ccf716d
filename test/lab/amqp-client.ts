// An AMQP client of the lab's RabbitMQ cluster, run in its client namespace. Modes:
//   node amqp-client.ts publish HOSTS SECONDS START_ID   numbered persistent messages to the quorum queue,
//        one at a time with publisher confirms; prints "ack <id> <epoch ms>" per confirm and
//        "err <epoch ms> <what>" per failure, then reconnects to the next broker of HOSTS (comma-separated)
//   node amqp-client.ts consume HOSTS SECONDS            prints "got <id> <epoch ms>" per delivery, then acks it
//   node amqp-client.ts drain HOSTS SECONDS              like consume, and exits once the queue stayed empty 3 s
import amqp, { type ChannelModel } from 'amqplib';

export const QUEUE = 'tsha-orders';
const [mode, hostList, seconds, start] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4] ?? 30), Number(process.argv[5] ?? 1)];
const hosts = hostList.split(',');
const end = Date.now() + seconds * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let turn = 0;

/** Every broker call bounded: a queue declaration can hang until Erlang notices a dead peer. */
function bounded<T>(work: Promise<T>, what: string, ms = 5000): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)),
  ]);
}

async function open(): Promise<ChannelModel> {
  const hostname = hosts[turn++ % hosts.length]!;
  const c = await amqp.connect(
    { protocol: 'amqp', hostname, port: 5672, username: 'guest', password: 'guest', heartbeat: 2 },
    { timeout: 2000 },
  );
  c.on('error', () => undefined);
  return c;
}

/** Closes a connection, or drops it when the broker does not answer the close within a second. */
async function release(c: ChannelModel | undefined): Promise<void> {
  if (!c) return;
  const closed = await Promise.race([
    c.close().then(
      () => true,
      () => true,
    ),
    sleep(1000).then(() => false),
  ]);
  if (!closed) (c as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
}

const queueArgs = { durable: true, arguments: { 'x-queue-type': 'quorum' } };

async function publish(): Promise<void> {
  let id = start;
  let declared = false;
  while (Date.now() < end) {
    let c: ChannelModel | undefined;
    try {
      c = await open();
      const closed = new Promise<never>((_, reject) => c!.once('close', () => reject(new Error('connection closed'))));
      closed.catch(() => undefined);
      const ch = await bounded(c.createConfirmChannel(), 'channel');
      ch.on('error', () => undefined);
      // Declared once: publishing needs no declaration, and a declaration waits on the cluster's metadata.
      if (!declared) await bounded(ch.assertQueue(QUEUE, queueArgs), 'queue.declare');
      declared = true;
      while (Date.now() < end) {
        const confirmed = new Promise<void>((resolve, reject) => {
          ch.sendToQueue(QUEUE, Buffer.from(String(id)), { persistent: true, messageId: String(id) }, (err) =>
            err ? reject(new Error('nack')) : resolve(),
          );
        });
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no confirm within 3 s')), 3000));
        await Promise.race([confirmed, timeout, closed]);
        console.log(`ack ${id} ${Date.now()}`);
        id++;
        await sleep(20);
      }
    } catch (error) {
      console.log(`err ${Date.now()} ${(error as Error).message.replace(/\s+/g, ' ').slice(0, 80)}`);
      // The id may have been stored without its confirm: never reuse it.
      id++;
      await sleep(300);
    } finally {
      await release(c);
    }
  }
}

async function consume(drain: boolean): Promise<void> {
  let lastAt = Date.now();
  while (Date.now() < end) {
    let c: ChannelModel | undefined;
    try {
      c = await open();
      const ch = await bounded(c.createChannel(), 'channel');
      ch.on('error', () => undefined);
      await bounded(ch.assertQueue(QUEUE, queueArgs), 'queue.declare');
      await bounded(ch.prefetch(100), 'basic.qos');
      const closed = new Promise<void>((resolve) => c!.once('close', () => resolve()));
      await bounded(
        ch.consume(QUEUE, (m) => {
          if (!m) return;
          console.log(`got ${m.content.toString()} ${Date.now()}`);
          lastAt = Date.now();
          ch.ack(m);
        }),
        'basic.consume',
      );
      for (;;) {
        const state = await Promise.race([closed.then(() => 'closed'), sleep(500).then(() => 'tick')]);
        if (state === 'closed') throw new Error('connection closed');
        if (Date.now() >= end) return;
        if (drain && Date.now() - lastAt > 3000) {
          const q = await bounded(ch.checkQueue(QUEUE), 'queue.declare passive');
          if (q.messageCount === 0) return;
        }
      }
    } catch (error) {
      console.log(`err ${Date.now()} ${(error as Error).message.replace(/\s+/g, ' ').slice(0, 80)}`);
      await sleep(300);
    } finally {
      await release(c);
    }
  }
}

await (mode === 'publish' ? publish() : consume(mode === 'drain'));
process.exit(0);
