import { chmodSync, cpSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ROOT } from './paths.ts';

/**
 * A stand-in for an OpenStack RPC service that no packaged release has any more (nova-consoleauth,
 * nova-cert, …): from the agent's side it behaves like the service — started as
 * `<binary> --config-file <conf>`, it reads transport_url and host (else the host name) from [DEFAULT] and consumes its own
 * queue `<topic>.<host>`, bound to the `nova` topic exchange as oslo.messaging binds it, and answers
 * oslo_rpc_server_ping with "pong" when [DEFAULT] rpc_ping_enabled is true. SIGUSR1 cancels the consumer
 * (a service that no longer takes calls); SIGUSR2 keeps the consumer but stops answering (a wedged
 * dispatcher). Like an oslo.messaging service, it reconnects every second when it loses the broker
 * (the first version exited on a reset connection, and Pacemaker restarted it on the surviving node),
 * to the next host of a transport_url that lists several, and with [oslo_messaging_rabbit]
 * rabbit_quorum_queue it declares its queue as oslo.messaging 14 does: quorum, durable.
 */
export function writeStandIn(dir: string, name: string): string {
  // The service account may not be able to read the checkout (a clone in a 0700 folder): the stand-in
  // gets its own copy of amqplib, which has no dependencies, beside it.
  const amqplib = join(dir, 'node_modules', 'amqplib');
  cpSync(dirname(createRequire(join(ROOT, 'package.json')).resolve('amqplib')), amqplib, { recursive: true });
  const file = join(dir, name);
  writeFileSync(
    file,
    `#!${process.execPath}
'use strict';
const amqp = require(${JSON.stringify(amqplib)});
const fs = require('node:fs');
const conf = process.argv[process.argv.indexOf('--config-file') + 1];
const get = (key) => (fs.readFileSync(conf, 'utf8').match(new RegExp('^' + key + '\\\\s*=\\\\s*(.*)$', 'm')) || [])[1];
const topic = ${JSON.stringify(name.replace(/^nova-/, ''))};
// Every broker of the transport_url, tried in turn as oslo.messaging fails over (a host without
// credentials takes those before it).
const urls = (() => {
  const m = /^rabbit:\\/\\/([^/]*)(\\/.*)?$/.exec(get('transport_url'));
  let creds = 'guest:guest@';
  return m[1].split(',').map((h) => {
    const at = h.lastIndexOf('@');
    if (at >= 0) creds = h.slice(0, at + 1);
    return 'amqp://' + creds + h.slice(at + 1) + (m[2] || '/');
  });
})();
let next = 0;
// [oslo_messaging_rabbit] rabbit_quorum_queue: quorum queues, and (as oslo) durable queues and exchanges.
const quorum = /^(true|1|yes)$/i.test(get('rabbit_quorum_queue') || '');
// oslo.messaging notices a silent broker (a crashed node sends no RST) by its heartbeat: gone after
// [oslo_messaging_rabbit] heartbeat_timeout_threshold (60 s by default); amqplib closes after two missed beats.
const heartbeat = Math.max(1, Math.round(Number(get('heartbeat_timeout_threshold') || 60) / 2));
// No host in the config: the machine's name, as oslo.config's default.
const queue = topic + '.' + (get('host') || require('node:os').hostname());
const ping = /^(true|1|yes)$/i.test(get('rpc_ping_enabled') || '');
let answering = true;
let current;
process.on('SIGUSR1', () => { if (current) current.channel.cancel(current.consumerTag).catch(() => undefined); });
process.on('SIGUSR2', () => { answering = false; });
process.on('SIGTERM', () => process.exit(0));
// One connection's life: declare, consume, and return when the connection is lost.
async function serve() {
  const url = urls[next++ % urls.length] + '?heartbeat=' + heartbeat;
  // A dead host (no answer to the SYN) must not hold the failover for TCP's two minutes.
  const connection = await amqp.connect(url, { timeout: 3000 });
  // A broker that dies resets the connection ('error', then 'close'): reconnect, never exit.
  connection.on('error', () => undefined);
  const closed = new Promise((resolve) => connection.once('close', resolve));
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  await channel.assertExchange('nova', 'topic', { durable: quorum });
  await channel.assertQueue(queue, quorum ? { durable: true, arguments: { 'x-queue-type': 'quorum' } } : { durable: false });
  await channel.bindQueue(queue, 'nova', queue);
  const { consumerTag } = await channel.consume(queue, (m) => {
    if (!m || !ping || !answering) return;
    const call = JSON.parse(JSON.parse(m.content.toString())['oslo.message']);
    if (call.method !== 'oslo_rpc_server_ping' || !call._reply_q) return;
    const reply = { result: 'pong', failure: null, ending: true, _msg_id: call._msg_id };
    channel.publish('', call._reply_q, Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(reply) })));
  }, { noAck: true });
  current = { channel, consumerTag };
  console.log(${JSON.stringify(name)} + ' stand-in consuming ' + queue + (quorum ? ' (quorum)' : '') + ' on ' + url.replace(/\\/\\/[^@]*@/, '//'));
  await closed;
  current = undefined;
}
// As oslo.messaging does: a lost or refused broker connection is retried every second.
(async () => {
  for (;;) {
    try {
      await serve();
      console.error('connection to RabbitMQ lost: reconnecting');
    } catch (e) {
      console.error('ERROR ' + e.message + ': retrying in 1 s');
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
})();
`,
  );
  chmodSync(file, 0o755);
  return file;
}

/**
 * A stand-in for an OpenStack API service no packaged release has any more (glance-registry): started
 * as `<binary> --config-file <conf>`, it serves HTTP on [DEFAULT] bind_port of 127.0.0.1 and forks a
 * worker, as the API services do. SIGUSR1 makes it answer 500 from then on.
 */
export function writeHttpStandIn(dir: string, name: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `#!${process.execPath}
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const { spawn } = require('node:child_process');
const conf = process.argv[process.argv.indexOf('--config-file') + 1];
const port = Number((fs.readFileSync(conf, 'utf8').match(/^bind_port\\s*=\\s*(\\d+)/m) || [])[1]);
let failing = false;
process.on('SIGUSR1', () => { failing = true; });
const worker = spawn('sleep', ['100000'], { stdio: 'ignore' });
process.on('SIGTERM', () => { worker.kill(); process.exit(0); });
http.createServer((req, res) => {
  res.writeHead(failing ? 500 : 200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ versions: [] }));
}).listen(port, '127.0.0.1', () => console.log(${JSON.stringify(name)} + ' stand-in on ' + port + ', worker ' + worker.pid));
`,
  );
  chmodSync(file, 0o755);
  return file;
}
