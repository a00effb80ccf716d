// Benchmark, not a test: ocf:heartbeat:galera (resource-agents, the anchor) and ocf:tsha:galera in
// the same 3-node lab, one after the other in one run, through the same scenarios.
//
//   node bench/galera.ts [--repeats N] [--only tsha|heartbeat]
//
// Each agent gets a fresh lab (fencing on, token 1000 ms, rsync SST, the Galera timeouts the README
// recommends) with datadirs holding only the system database. Scenarios, with a client writing one
// row at a time through the VIP: formation from empty; crash of the VIP's node (N repeats) → first
// acknowledged write; whole-cluster power loss → first write after the boot; power loss with only
// two of three booted → first write (the anchor waits for the third for ever: capped here). At the
// end every member's rows are compared and every acknowledged id is looked up.
import { parseArgs } from 'node:util';
import { AckLedger, firstAckAfter, recoverySeconds, startClient } from '../test/lab/client.ts';
import { unsafe } from '../test/lab/consistency.ts';
import { createDemoSchema, galeraCheck, galeraCrm, galeraSettled, prepareGaleraNodes } from '../test/lab/galera-setup.ts';
import { Lab, runningOn, sleep, waitFor, type ClusterStatus } from '../test/lab/lab.ts';
import { median } from './measure.mjs';

const { values: args } = parseArgs({ options: { repeats: { type: 'string', default: '3' }, only: { type: 'string' } } });
const repeats = Number(args.repeats);
/** How long the 2-of-3 scenario waits for a write before it boots the third node. */
const TWO_OF_THREE_CAP_S = 120;

const vipOn = (s: ClusterStatus) => runningOn(s, 'vip')[0];

interface Row {
  agent: string;
  formation?: number | undefined;
  crash: number[];
  outage?: number | undefined;
  twoOfThree?: number | undefined;
  acknowledged: number;
  lost: number;
  diverged: number;
}

async function measure(agent: 'tsha' | 'heartbeat'): Promise<Row> {
  const lab = new Lab({ nodes: 3, stonith: true, prefix: 'tshabench' });
  const ledger = new AckLedger();
  const row: Row = { agent: `ocf:${agent}:galera`, crash: [], acknowledged: 0, lost: 0, diverged: 0 };
  const settled = (what: string, nodes: readonly string[] = lab.liveNodes()) => lab.waitUntil(what, 300_000, galeraSettled(nodes));
  try {
    await lab.up();
    await prepareGaleraNodes(lab, { clusterAddress: agent === 'heartbeat' });
    const began = Date.now();
    // pcs's spelling for both: with the seed's target-role=Master, heartbeat/galera never bootstraps (it takes
    // that attribute in crm_mon's output for a running Master).
    await lab.loadCrm(galeraCrm(lab, { agent, spelling: 'promoted' }));
    const formed = await settled('three Synced members and the VIP');
    row.formation = (Date.now() - began) / 1000;
    console.log(`${row.agent}: formation ${row.formation.toFixed(1)} s`);
    await createDemoSchema(lab, vipOn(formed)!);

    for (let i = 0; i < repeats; i++) {
      const crashed = vipOn(await settled(`three Synced members (crash ${i + 1})`))!;
      const writer = startClient(lab, 'write', 240, ledger.nextId);
      await sleep(2500);
      const crashedAt = Date.now();
      await lab.crash(crashed);
      await lab.waitUntil('the VIP on a survivor', 90_000, (s) => vipOn(s) !== undefined && vipOn(s) !== crashed);
      await sleep(3000);
      await lab.start(crashed);
      await settled(`${crashed} back`, lab.names);
      await ledger.finish(writer);
      const t = recoverySeconds(writer, crashedAt);
      if (t !== undefined) row.crash.push(t);
      console.log(`${row.agent}: crash of the VIP node ${crashed} (repeat ${i + 1}): first write after ${t?.toFixed(2) ?? '?'} s`);
    }

    {
      await settled('three Synced members before the outage');
      const writer = startClient(lab, 'write', 400, ledger.nextId);
      await sleep(3000);
      const bootedAt = await lab.powerLoss();
      await waitFor('a write after the boot', 240_000, async () => firstAckAfter(writer, bootedAt)).catch(() => undefined);
      row.outage = firstAckAfter(writer, bootedAt);
      console.log(`${row.agent}: whole-cluster power loss: writable ${row.outage?.toFixed(2) ?? 'never'} s after the boot`);
      await settled('three Synced members after the outage', lab.names);
      await ledger.finish(writer);
    }

    {
      await settled('three Synced members before the 2-of-3 outage');
      const writer = startClient(lab, 'write', TWO_OF_THREE_CAP_S + 200, ledger.nextId);
      await sleep(3000);
      const [a, b, late] = [...lab.names] as [string, string, string];
      const bootedAt = await lab.powerLoss([a, b]);
      await waitFor('a write with the third node off', TWO_OF_THREE_CAP_S * 1000, async () => firstAckAfter(writer, bootedAt)).catch(
        () => undefined,
      );
      row.twoOfThree = firstAckAfter(writer, bootedAt);
      console.log(
        `${row.agent}: 2 of 3 booted: ${row.twoOfThree === undefined ? `not writable within ${TWO_OF_THREE_CAP_S} s` : `writable after ${row.twoOfThree.toFixed(2)} s`}`,
      );
      await lab.start(late);
      await settled('three Synced members after the third booted', lab.names);
      await sleep(1000);
      await ledger.finish(writer);
    }

    const { report, lost } = await galeraCheck(lab, ledger.acked);
    row.acknowledged = ledger.acked.length;
    row.lost = lost.length;
    row.diverged = unsafe(report).length;
  } finally {
    await lab.down();
  }
  return row;
}

const agents = (['heartbeat', 'tsha'] as const).filter((a) => args.only === undefined || args.only === a);
const rows: Row[] = [];
for (const agent of agents) rows.push(await measure(agent));

const s = (t: number | undefined) => (t === undefined ? 'never' : `${t.toFixed(1)} s`);
console.log(`\nGalera, 3 lab nodes, fencing, token 1000 ms, rsync SST, ${repeats} crash repeats; a writer through the VIP throughout`);
console.log(
  `  ${'agent'.padEnd(22)} ${'formation'.padEnd(10)} ${'crash → write (median, min–max)'.padEnd(32)} ${'outage → writable'.padEnd(18)} ${`2 of 3 → writable (cap ${TWO_OF_THREE_CAP_S} s)`.padEnd(30)} acknowledged / lost / diverged members`,
);
for (const r of rows) {
  const crash =
    r.crash.length > 0 ? `${median(r.crash).toFixed(2)} s (${Math.min(...r.crash).toFixed(2)}–${Math.max(...r.crash).toFixed(2)})` : '?';
  console.log(
    `  ${r.agent.padEnd(22)} ${s(r.formation).padEnd(10)} ${crash.padEnd(32)} ${s(r.outage).padEnd(18)} ${s(r.twoOfThree).padEnd(30)} ${r.acknowledged} / ${r.lost} / ${r.diverged}`,
  );
}
console.log('\ntargets for ocf:tsha:galera: formation ≤ 15 s, crash ≤ 4 s, outage ≤ 12 s, 2 of 3 ≤ 60 s, 0 lost');
