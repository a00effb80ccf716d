// Benchmark, not a test: the control plane's recovery after a controller crash, in the seed's layout,
// the seed's groups with the README's tuned orders (seed-tuned), and the active/active layout the README
// recommends, on tsha's agents and real services.
//
//   node bench/control-plane-recovery.ts [--repeats 3] [--layout all | a comma list of seed, seed-tuned, active-active] [--sysctl NAME=A,B] [--sockets]
//
// Each layout gets a fresh 2-node lab (fencing on, token 1000 ms) with the whole control plane. Each
// repeat: a client in the lab's client namespace asks for a token, the image list and the compute
// service list through the VIPs again and again (2 s bound per call); a node is crashed — in the seed
// layouts the one running Keystone (the case the issue measured), in the active/active one the node
// holding the database's master, the worst there — and the time from the crash to the first whole answer
// after the last failure is taken, with what Pacemaker did in between (node lost, fenced, promoted,
// each start and its duration, from the nodes' logs). The node is booted again and everything settles
// before the next repeat, so the crashes alternate between the nodes. Medians at the end.
// --sysctl NAME=A,B: the layout once per value, each in a fresh lab with the kernel setting NAME
// (net.ipv4.…) at that value on every node from before any server starts (a socket takes it when it is
// created), printed side by side: e.g. net.ipv4.tcp_rto_max_ms=120000,1000 caps the retransmission
// backoff of a service's pooled database connection to the dead VIP holder, so its next retransmission,
// and the new holder's reset, come sooner once the VIP has moved (Linux 6.15 and later).
// --sockets: the survivor's TCP connections to the database VIP, sampled every 250 ms from the crash until
// the answers are back (state, and the retransmission timer of each: where the services' requests wait).
import { parseArgs } from 'node:util';
import { Lab, runningOn, sleep, waitFor } from '../test/lab/lab.ts';
import type { Layout } from '../test/lab/control-plane-crm.ts';
import {
  answersAgain,
  bringUpControlPlane,
  controlPlaneClient,
  controlPlaneRunning,
  controlPlaneSettled,
  watchControlPlane,
  watchedAttempts,
  type Answer,
} from '../test/lab/openstack-setup.ts';
import { abortsAfter, describeOperations, describeTimeline, failoverTimeline, operationsAfter } from '../test/lab/timeline.ts';
import { promotedDb } from '../test/lab/replication-setup.ts';
import { median } from './measure.mjs';

const { values: args } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    layout: { type: 'string', default: 'all' },
    sysctl: { type: 'string' },
    sockets: { type: 'boolean' },
  },
});
const repeats = Number(args.repeats);
const layouts: Layout[] = args.layout === 'all' ? ['seed', 'seed-tuned', 'active-active'] : (args.layout.split(',') as Layout[]);
/** The variants every repeat runs: a kernel setting's values, set on every node. */
const [sysctlName, sysctlValues] = args.sysctl?.split('=') ?? [];
const variants: (string | undefined)[] = sysctlValues?.split(',') ?? [undefined];
const label = (layout: Layout, value: string | undefined) => (value === undefined ? layout : `${layout}, ${sysctlName}=${value}`);

/** The median time a whole check took among the answers started in [from, to). */
function checkTime(lines: readonly string[], from: number, to: number): string {
  const took = watchedAttempts(lines)
    .filter((t): t is Answer => t.ok && t.started >= from && t.started < to)
    .map((t) => t.answered - t.started);
  return took.length ? `${(median(took) / 1000).toFixed(2)} s (${took.length} answers)` : 'no answers';
}

/** The watcher's attempts since the crash, in the order they started: "+1.52 fail token: …", "+4.10 ok 0.31 s". */
function attempts(lines: readonly string[], since: number): string {
  return watchedAttempts(lines)
    .filter((t) => t.started >= since)
    .sort((x, y) => x.started - y.started)
    .map((t) => {
      const text = t.ok ? `ok ${((t.answered - t.started) / 1000).toFixed(2)} s (${t.calls})` : `fail ${t.reason.slice(0, 40)}`;
      return `+${((t.started - since) / 1000).toFixed(2)} ${text}`;
    })
    .join(', ');
}

/**
 * Samples `survivor`'s TCP sockets to the database VIP every 250 ms until `done` resolves: one line per
 * sample, "+2.25 ESTAB 6 (timer on: 2, retries ≤ 3, next ≤ 1.6s), SYN-SENT 1 (…)".
 */
async function sampleSockets(lab: Lab, survivor: string, since: number, done: Promise<unknown>): Promise<string[]> {
  const samples: string[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    const at = Date.now();
    const r = await lab.exec(survivor, ['ss', '-tnoH', 'state', 'all', 'dst', `${lab.vip}:3306`], 5000);
    const byState = new Map<string, { n: number; on: number; retries: number; next: number }>();
    for (const line of r.stdout.split('\n').filter(Boolean)) {
      const state = line.split(/\s+/)[0]!;
      const e = byState.get(state) ?? { n: 0, on: 0, retries: 0, next: 0 };
      e.n++;
      // timer:(on,1.2sec,3): the retransmission timer, its time left and the retries so far.
      const t = /timer:\(on,([\d.]+)(ms|sec|min),(\d+)\)/.exec(line);
      if (t) {
        e.on++;
        e.retries = Math.max(e.retries, Number(t[3]));
        e.next = Math.max(e.next, Number(t[1]) * (t[2] === 'ms' ? 0.001 : t[2] === 'min' ? 60 : 1));
      }
      byState.set(state, e);
    }
    const parts = [...byState].map(
      ([state, e]) => `${state} ${e.n}${e.on ? ` (retransmitting ${e.on}, retries ≤ ${e.retries}, next ≤ ${e.next.toFixed(1)} s)` : ''}`,
    );
    samples.push(`+${((at - since) / 1000).toFixed(2)} ${parts.join(', ') || 'none'}`);
    await sleep(Math.max(0, 250 - (Date.now() - at)));
  }
  return samples;
}

interface Figures {
  answered: number | undefined;
  lost?: number;
  fenced?: number;
  promoted?: number;
  vip?: number;
  lastStart: number | undefined;
  /** When the broker's and nova's RPC group's starts on the survivor ended (undefined: they did not move). */
  broker?: number | undefined;
  rpc?: number | undefined;
}

async function measure(layout: Layout, value: string | undefined): Promise<Figures[]> {
  const lab = new Lab({ nodes: 2, stonith: true });
  const figures: Figures[] = [];
  try {
    const plane = await bringUpControlPlane(lab, layout, async () => {
      if (value !== undefined) for (const node of lab.names) await lab.mustExec(node, ['sysctl', '-q', '-w', `${sysctlName}=${value}`]);
    });
    await lab.waitUntil('the control plane settled', 300_000, (s) => controlPlaneSettled(s, lab.names, layout));
    const client = controlPlaneClient(lab, plane);
    await waitFor('answers through the VIPs', 120_000, async () => ((await client('check')).code === 0 ? true : undefined), 1000);

    for (let r = 1; r <= repeats; r++) {
      // Each crash hits a cluster at rest. With only the status settled, the previous repeat's rejoin
      // could still be running (a clone's start, its first depth-10 monitor timing out against the
      // crashed database), and Pacemaker finished that before it promoted: 10 s in 2 repeats of 9.
      await lab.idle();
      const before = await lab.status();
      const victim = layout.startsWith('seed') ? runningOn(before, 'keystone')[0]! : promotedDb(before)[0]!;
      const survivor = lab.names.find((n) => n !== victim)!;
      const watcher = watchControlPlane(lab, plane, 240);
      await sleep(3000);
      const crashedAt = Date.now();
      await lab.crash(victim);
      // The first whole answer after the last failure, held for 5 s (a later failure moves it).
      const answered = answersAgain(watcher, crashedAt, 5000, 'answers through the VIPs again');
      const sockets = args.sockets ? sampleSockets(lab, survivor, crashedAt, answered) : Promise.resolve([]);
      const outage = await answered;
      watcher.child.kill();
      await watcher.done;
      // Everything on the survivor before the figures are read: the broker and the RPC services may
      // come back after the API answers (the tuned seed starts the broker last).
      await lab.waitUntil(`everything running on ${survivor}`, 120_000, (s) => controlPlaneRunning(s, survivor), survivor);
      const survivorOps = operationsAfter(lab, crashedAt).filter((o) => o.node === survivor);
      const ended = (ids: readonly string[]) => {
        const done = survivorOps.filter((o) => o.action === 'start' && ids.includes(o.resource));
        return done.length ? Math.max(...done.map((o) => o.end ?? Infinity)) : undefined;
      };
      const broker = ended(['rabbit']);
      const rpc = ended(['nova_consoleauth', 'nova_cert', 'nova_scheduler']);
      const t = failoverTimeline(lab, crashedAt);
      const ops = survivorOps.filter((o) => o.start <= (outage.answeredAfter ?? Infinity) + 1);
      const starts = ops.filter((o) => o.action === 'start' || o.action === 'promote');
      figures.push({ answered: outage.answeredAfter, ...t, lastStart: Math.max(...starts.map((o) => o.end ?? o.start), 0), broker, rpc });
      console.log(
        `[${label(layout, value)}] repeat ${r}: crashed ${victim}; answers through the VIPs again after ${outage.answeredAfter?.toFixed(2) ?? '?'} s ` +
          `(${outage.answers} answers and ${outage.failures} failed attempts since the crash, the last failure: ${outage.lastReason ?? 'none'})\n` +
          `  cluster: ${describeTimeline(t)}; broker started +${broker?.toFixed(2) ?? '– (did not move)'}, nova's RPC group +${rpc?.toFixed(2) ?? '– (did not move)'}\n  on ${survivor}: ${describeOperations(ops) || 'nothing started or stopped'}\n` +
          `  a whole check (token, images, services) took ${checkTime(watcher.lines, 0, crashedAt)} before the crash, ` +
          `${checkTime(watcher.lines, crashedAt + (outage.answeredAfter ?? 0) * 1000, Infinity)} once answers were back\n` +
          `  transitions aborted: ${abortsAfter(lab, crashedAt, outage.answeredAfter).join('; ')}\n` +
          `  attempts: ${attempts(watcher.lines, crashedAt)}` +
          (args.sockets ? `\n  ${survivor}'s sockets to the database VIP:\n    ${(await sockets).join('\n    ')}` : ''),
      );
      await lab.start(victim);
      await lab.waitUntil(
        `${victim} back and the plane settled`,
        300_000,
        (s) => controlPlaneSettled(s, lab.names, layout) && s.online.includes(victim),
        survivor,
      );
    }
  } finally {
    await lab.release();
  }
  return figures;
}

const results = new Map<string, Figures[]>();
for (const layout of layouts) for (const value of variants) results.set(label(layout, value), await measure(layout, value));

const med = (xs: (number | undefined)[]) => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length ? `${median(known).toFixed(2)} s` : '?';
};
console.log(`\ncontrol-plane recovery after a controller crash, 2 lab nodes, medians of ${repeats}:`);
console.log(
  '| layout | crash → answers (token, images, services) | node lost | fenced | db promoted | db VIP | last start/promote done | broker / RPC group started | target |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [layout, f] of results) {
  console.log(
    `| ${layout} | ${med(f.map((x) => x.answered))} (${f.map((x) => x.answered?.toFixed(2) ?? '?').join(' / ')}) | ${med(f.map((x) => x.lost))} | ` +
      `${med(f.map((x) => x.fenced))} | ${med(f.map((x) => x.promoted))} | ${med(f.map((x) => x.vip))} | ${med(f.map((x) => x.lastStart))} | ${med(f.map((x) => x.broker))} / ${med(f.map((x) => x.rpc))} | ${layout.startsWith('seed') ? '≤ 12 s' : '≤ 5 s'} |`,
  );
}
