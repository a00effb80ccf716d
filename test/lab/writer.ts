// A client of the lab, run in its client namespace. Two modes:
//   node writer.ts HOST SECONDS [START_ID]    write numbered rows through the VIP (below)
//   node writer.ts --probe HOST SECONDS       print "up <epoch ms>" each time the VIP answers a TCP
//                                            connection (refused counts: the address is there)
// Writing: one row at a time,
// (INSERT IGNORE: a retried row that did commit is not an error) and prints each acknowledged id ("ack <id> <epoch ms>") and each failure ("err <epoch ms> <code>").
//   node writer.ts HOST SECONDS [START_ID]
import { createConnection, type Connection } from 'mysql2';

import { connect } from 'node:net';

const probe = process.argv[2] === '--probe';
const argv = probe ? process.argv.slice(1) : process.argv;
const [host, seconds, start] = [argv[2]!, Number(argv[3] ?? 30), Number(argv[4] ?? 1)];
const end = Date.now() + seconds * 1000;

function answers(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port: 3306, timeout: 200 });
    const done = (up: boolean) => {
      s.destroy();
      resolve(up);
    };
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED'));
  });
}

while (probe && Date.now() < end) {
  if (await answers()) process.stdout.write(`up ${Date.now()}\n`);
  else process.stdout.write(`down ${Date.now()}\n`);
  await new Promise((r) => setTimeout(r, 20));
}
if (probe) process.exit(0);
let id = start;
let connection: Connection | undefined;

function open(): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const c = createConnection({ host, port: 3306, user: 'app', password: 'app-secret', database: 'demo', connectTimeout: 300 });
    c.once('connect', () => resolve(c));
    c.once('error', (e) => {
      c.destroy();
      reject(e);
    });
  });
}

function insert(c: Connection, value: number): Promise<void> {
  return new Promise((resolve, reject) => {
    c.query({ sql: 'INSERT IGNORE INTO demo.rows (id) VALUES (?)', values: [value], timeout: 2000 }, (e) => (e ? reject(e) : resolve()));
  });
}

while (Date.now() < end) {
  try {
    connection ??= await open();
    await insert(connection, id);
    process.stdout.write(`ack ${id} ${Date.now()}\n`);
    id++;
  } catch (error) {
    process.stdout.write(`err ${Date.now()} ${(error as { code?: string }).code ?? 'error'}\n`);
    connection?.destroy();
    connection = undefined;
    // Retry at the probe's pace, so the measured failover is the cluster's, not the client's back-off.
    await new Promise((r) => setTimeout(r, 20));
  }
}
connection?.destroy();
