// Benchmark, not a test: clustered RabbitMQ in the lab, ocf:tsha:rabbitmq (clone mode) against
// resource-agents' ocf:heartbeat:rabbitmq-cluster, same scenarios, printed side by side.
//
//   node bench/rabbitmq-cluster.ts [--only tsha|heartbeat]
//
// Each agent gets a fresh 3-node lab (no fencing, no-quorum-policy=stop), RabbitMQ 3.10.8,
// pause_minority, a durable quorum queue, a publisher with confirms and a consumer reconnecting to
// any broker. Scenarios: formation from empty; a crash of the queue leader's node (time until
// publishes are confirmed again, confirmed messages lost, the node back); a whole-cluster power loss
// and boot (time until confirmed again, confirmed messages lost). Lost = confirmed but neither
// delivered to the consumer nor found when the queue is drained at the end.
import { parseArgs } from 'node:util';
import type { ClientRun } from '../test/lab/client.ts';
import { Lab, runningOn, sleep, waitFor } from '../test/lab/lab.ts';
import {
  confirmedIds,
  firstConfirmAfter,
  heartbeatCrm,
  prepareHeartbeatNodes,
  prepareRabbitmqNodes,
  QUEUE,
  rabbitmqCrm,
  receivedIds,
  startAmqpClient,
  TSHA_HOME,
} from '../test/lab/rabbitmq-setup.ts';

const { values: args } = parseArgs({ options: { only: { type: 'string', default: '' } } });

interface Setup {
  readonly name: string;
  readonly home: string;
  readonly prepare: (lab: Lab) => void;
  readonly crm: (lab: Lab) => string;
}

const setups: Setup[] = [
  { name: 'ocf:heartbeat:rabbitmq-cluster', home: '/var/lib/rabbitmq', prepare: prepareHeartbeatNodes, crm: heartbeatCrm },
  { name: 'ocf:tsha:rabbitmq (clone)', home: TSHA_HOME, prepare: prepareRabbitmqNodes, crm: rabbitmqCrm },
].filter((s) => args.only === '' || s.name.includes(args.only));

interface Figures {
  formation?: number | undefined;
  crashed?: string;
  crashConfirmedAgain?: number | undefined;
  crashLost?: number | undefined;
  crashConfirmed?: number | undefined;
  crashQueueMembers?: number | undefined;
  outageConfirmedAgain?: number | undefined;
  outageLost?: number | undefined;
  outageConfirmed?: number | undefined;
}

async function queueInfo(lab: Lab, home: string): Promise<{ leader: string; members: number } | undefined> {
  for (const n of lab.liveNodes()) {
    const r = await lab.exec(
      n,
      [
        'env',
        `HOME=${home}`,
        '/usr/lib/rabbitmq/bin/rabbitmqctl',
        '-q',
        '-n',
        `rabbit@${n}`,
        '-t',
        '10',
        'list_queues',
        'name',
        'leader',
        'members',
        '--formatter',
        'json',
      ],
      20_000,
    );
    try {
      const q = (JSON.parse(r.stdout) as { name: string; leader: string; members: string[] }[]).find((x) => x.name === QUEUE);
      if (q) return { leader: q.leader.split('@')[1]!, members: q.members.length };
    } catch {
      // next node
    }
  }
  return undefined;
}

const allRunning = (lab: Lab) =>
  lab.waitUntil('three instances running', 240_000, (s) => runningOn(s, 'rabbitmq').length === lab.names.length);

/** Stops the clients, drains the queue and counts confirmed messages never seen. */
async function lostOf(lab: Lab, publisher: ClientRun, consumer: ClientRun): Promise<{ lost: number; confirmed: number }> {
  publisher.child.kill();
  await publisher.done;
  await sleep(1500);
  consumer.child.kill();
  await consumer.done;
  const drain = startAmqpClient(lab, 'drain', 90);
  await drain.done;
  const seen = new Set([...receivedIds(consumer), ...receivedIds(drain)]);
  const confirmed = confirmedIds(publisher);
  return { lost: confirmed.filter((id) => !seen.has(id)).length, confirmed: confirmed.length };
}

async function measure(setup: Setup): Promise<Figures> {
  const f: Figures = {};
  const lab = new Lab({ nodes: 3, stonith: false });
  try {
    await lab.up();
    setup.prepare(lab);
    // The binds take effect at boot: reboot the nodes once with them.
    await Promise.all(lab.names.map((n) => lab.stop(n)));
    await Promise.all(lab.names.map((n) => lab.start(n)));
    await lab.waitUntil('every node online', 60_000, (s) => s.dc !== undefined && lab.names.every((n) => s.online.includes(n)));
    const began = Date.now();
    await lab.loadCrm(setup.crm(lab));
    await allRunning(lab);
    f.formation = (Date.now() - began) / 1000;
    console.log(`${setup.name}: formation ${f.formation.toFixed(1)} s`);

    let publisher = startAmqpClient(lab, 'publish', 900, 1);
    let consumer = startAmqpClient(lab, 'consume', 900);
    await waitFor('a first confirm', 120_000, async () => firstConfirmAfter(publisher, 0));
    await sleep(5000);
    const leader = (await queueInfo(lab, setup.home))?.leader ?? 'n1';
    f.crashed = leader;
    const crashedAt = Date.now();
    await lab.crash(leader);
    f.crashConfirmedAgain = await waitFor('a confirm after the crash', 180_000, async () =>
      firstConfirmAfter(publisher, crashedAt + 1),
    ).catch(() => undefined);
    console.log(`${setup.name}: crash of ${leader}: confirmed again after ${f.crashConfirmedAgain?.toFixed(1) ?? 'never (180 s)'} s`);
    await sleep(3000);
    await lab.start(leader);
    await allRunning(lab).catch(() => undefined);
    await sleep(5000);
    const crash = await lostOf(lab, publisher, consumer);
    f.crashLost = crash.lost;
    f.crashConfirmed = crash.confirmed;
    f.crashQueueMembers = (await queueInfo(lab, setup.home))?.members;
    console.log(
      `${setup.name}: crash: ${crash.lost} of ${crash.confirmed} confirmed lost; queue members after: ${f.crashQueueMembers ?? '?'}`,
    );

    publisher = startAmqpClient(lab, 'publish', 900, 1_000_000);
    consumer = startAmqpClient(lab, 'consume', 900);
    await sleep(5000);
    await Promise.all(lab.names.map((n) => lab.crash(n)));
    await sleep(1000);
    const bootedAt = Date.now();
    await Promise.all(lab.names.map((n) => lab.start(n)));
    f.outageConfirmedAgain = await waitFor('a confirm after the boot', 300_000, async () => firstConfirmAfter(publisher, bootedAt)).catch(
      () => undefined,
    );
    console.log(
      `${setup.name}: whole-cluster outage: confirmed again ${f.outageConfirmedAgain?.toFixed(1) ?? 'never (300 s)'} s after the boot`,
    );
    await allRunning(lab).catch(() => undefined);
    await sleep(3000);
    const outage = await lostOf(lab, publisher, consumer);
    f.outageLost = outage.lost;
    f.outageConfirmed = outage.confirmed;
    console.log(`${setup.name}: outage: ${outage.lost} of ${outage.confirmed} confirmed lost`);
  } catch (error) {
    console.log(`${setup.name}: stopped early: ${(error as Error).message}`);
  } finally {
    await lab.down();
  }
  return f;
}

const results = new Map<string, Figures>();
for (const setup of setups) results.set(setup.name, await measure(setup));

const s = (x: number | undefined, unit = ' s') => (x === undefined ? '—' : `${x.toFixed(1)}${unit}`);
const rows: [string, (f: Figures) => string][] = [
  ['formation from empty (target ≤ 15 s)', (f) => s(f.formation)],
  ['crash of the leader: confirmed again (target ≤ 10 s)', (f) => s(f.crashConfirmedAgain)],
  ['crash: confirmed messages lost (target 0)', (f) => (f.crashLost === undefined ? '—' : `${f.crashLost} of ${f.crashConfirmed}`)],
  ['crash: quorum-queue members after the node is back', (f) => String(f.crashQueueMembers ?? '—')],
  ['whole-cluster outage: confirmed again after the boot', (f) => s(f.outageConfirmedAgain)],
  ['outage: confirmed messages lost (target 0)', (f) => (f.outageLost === undefined ? '—' : `${f.outageLost} of ${f.outageConfirmed}`)],
];
const names = [...results.keys()];
console.log(`\n| scenario | ${names.join(' | ')} |\n| --- |${names.map(() => ' --- |').join('')}`);
for (const [label, value] of rows) console.log(`| ${label} | ${names.map((n) => value(results.get(n)!)).join(' | ')} |`);
