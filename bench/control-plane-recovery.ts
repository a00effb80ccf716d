// Benchmark, not a test: the control plane's recovery after a controller crash, in the seed's layout
// and in the active/active one the README recommends, on tsha's agents and real services.
//
//   node bench/control-plane-recovery.ts [--repeats 3] [--layout seed|active-active|both]
//
// Each layout gets a fresh 2-node lab (fencing on, token 1000 ms) with the whole control plane. Each
// repeat: a client in the lab's client namespace asks for a token, the image list and the compute
// service list through the VIPs again and again (2 s bound per call); a node is crashed — in the seed
// layout the one running Keystone (the case the issue measured), in the active/active one the node
// holding the database's master, the worst there — and the time from the crash to the first whole answer
// after the last failure is taken, with what Pacemaker did in between (node lost, fenced, promoted,
// each start and its duration, from the nodes' logs). The node is booted again and everything settles
// before the next repeat, so the crashes alternate between the nodes. Medians at the end.
import { parseArgs } from 'node:util';
import { Lab, runningOn, sleep, waitFor, type ClusterStatus } from '../test/lab/lab.ts';
import type { Layout } from '../test/lab/control-plane-crm.ts';
import {
  answersAgain,
  bringUpControlPlane,
  controlPlaneClient,
  controlPlaneSettled,
  watchControlPlane,
} from '../test/lab/openstack-setup.ts';
import { describeOperations, describeTimeline, failoverTimeline, operationsAfter } from '../test/lab/timeline.ts';
import { median } from './measure.mjs';

const { values: args } = parseArgs({ options: { repeats: { type: 'string', default: '3' }, layout: { type: 'string', default: 'both' } } });
const repeats = Number(args.repeats);
const layouts: Layout[] = args.layout === 'both' ? ['seed', 'active-active'] : [args.layout as Layout];

const promoted = (s: ClusterStatus) => [...runningOn(s, 'db', 'Promoted'), ...runningOn(s, 'db', 'Master')];

interface Figures {
  answered: number | undefined;
  lost?: number;
  fenced?: number;
  promoted?: number;
  vip?: number;
  lastStart: number | undefined;
}

async function measure(layout: Layout): Promise<Figures[]> {
  const lab = new Lab({ nodes: 2, stonith: true });
  const figures: Figures[] = [];
  try {
    const plane = await bringUpControlPlane(lab, layout);
    await lab.waitUntil('the control plane settled', 300_000, (s) => controlPlaneSettled(s, lab.names, layout));
    const client = controlPlaneClient(lab, plane);
    await waitFor('answers through the VIPs', 120_000, async () => ((await client('check')).code === 0 ? true : undefined), 1000);

    for (let r = 1; r <= repeats; r++) {
      const before = await lab.status();
      const victim = layout === 'seed' ? runningOn(before, 'keystone')[0]! : promoted(before)[0]!;
      const survivor = lab.names.find((n) => n !== victim)!;
      const watcher = watchControlPlane(lab, plane, 240);
      await sleep(3000);
      const crashedAt = Date.now();
      await lab.crash(victim);
      // The first whole answer after the last failure, held for 5 s (a later failure moves it).
      const outage = await answersAgain(watcher, crashedAt, 5000, 'answers through the VIPs again');
      watcher.child.kill();
      await watcher.done;
      const t = failoverTimeline(lab, crashedAt);
      const ops = operationsAfter(lab, crashedAt).filter((o) => o.node === survivor && o.start <= (outage.answeredAfter ?? Infinity) + 1);
      const starts = ops.filter((o) => o.action === 'start' || o.action === 'promote');
      figures.push({ answered: outage.answeredAfter, ...t, lastStart: Math.max(...starts.map((o) => o.end ?? o.start), 0) });
      console.log(
        `[${layout}] repeat ${r}: crashed ${victim}; answers through the VIPs again after ${outage.answeredAfter?.toFixed(2) ?? '?'} s ` +
          `(${outage.answers} answers and ${outage.failures} failed attempts since the crash, the last failure: ${outage.lastReason ?? 'none'})\n` +
          `  cluster: ${describeTimeline(t)}\n  on ${survivor}: ${describeOperations(ops) || 'nothing started or stopped'}`,
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

const results = new Map<Layout, Figures[]>();
for (const layout of layouts) results.set(layout, await measure(layout));

const med = (xs: (number | undefined)[]) => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length ? `${median(known).toFixed(2)} s` : '?';
};
console.log(`\ncontrol-plane recovery after a controller crash, 2 lab nodes, medians of ${repeats}:`);
console.log(
  '| layout | crash → answers (token, images, services) | node lost | fenced | db promoted | db VIP | last start/promote done | target |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [layout, f] of results) {
  console.log(
    `| ${layout} | ${med(f.map((x) => x.answered))} (${f.map((x) => x.answered?.toFixed(2) ?? '?').join(' / ')}) | ${med(f.map((x) => x.lost))} | ` +
      `${med(f.map((x) => x.fenced))} | ${med(f.map((x) => x.promoted))} | ${med(f.map((x) => x.vip))} | ${med(f.map((x) => x.lastStart))} | ${layout === 'seed' ? '≤ 12 s' : '≤ 5 s'} |`,
  );
}
