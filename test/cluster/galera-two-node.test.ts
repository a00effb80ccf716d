import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckLedger, longestPause, recoverySeconds, startClient } from '../lab/client.ts';
import { createDemoSchema, galeraCrm, galeraSettled, prepareGaleraNodes } from '../lab/galera-setup.ts';
import { Lab, runningOn, sleep, waitFor, type ClusterStatus } from '../lab/lab.ts';
import { expectGaleraConsistent, expectRejoinedByIst, galeraAgentLog } from './galera-expect.ts';
import { diagnoseFailures } from '../lab/diagnostics.ts';

// two_node_mode on a two-node lab (corosync two_node, fencing on): a Galera pair loses its primary
// component whenever one member goes (1 of 2 is no majority). With two_node_mode the survivor re-forms
// it in place once Pacemaker has fenced the peer, never before: both halves of a split pair are
// quorate, and both re-forming would be two histories. A client writes through the VIP throughout;
// every scenario ends with the full-data check.
const vipOn = (s: ClusterStatus) => runningOn(s, 'vip')[0];

describe('ocf:tsha:galera two_node_mode, 2 nodes: the survivor of a crash or a split takes writes again once the peer is fenced', () => {
  const lab = new Lab({ nodes: 2, stonith: true });
  diagnoseFailures(lab);
  const ledger = new AckLedger();
  const settled = (what: string, nodes: readonly string[] = lab.liveNodes()) => lab.waitUntil(what, 180_000, galeraSettled(nodes));
  const verify = (what: string) => expectGaleraConsistent(lab, ledger, what);

  beforeAll(async () => {
    await lab.up();
    await prepareGaleraNodes(lab);
    await lab.loadCrm(galeraCrm(lab, { extra: 'two_node_mode=true' }));
    await createDemoSchema(lab, vipOn(await settled('two Synced members and the VIP'))!);
  });
  afterAll(() => lab.release());

  it('a crash of the VIP node under writes, on each node in turn: the survivor re-forms the primary component and writes resume; the node rejoins', async () => {
    for (let cycle = 1; cycle <= 2; cycle++) {
      const crashed = vipOn(await settled(`two Synced members (cycle ${cycle})`, lab.names))!;
      const survivor = lab.names.find((n) => n !== crashed)!;
      const logged = galeraAgentLog(lab, crashed).length;
      const writer = startClient(lab, 'write', 240, ledger.nextId);
      await sleep(2000);
      const crashedAt = Date.now();
      await lab.crash(crashed);
      const after = await waitFor(`a write through the VIP on ${survivor} (cycle ${cycle})`, 90_000, async () =>
        recoverySeconds(writer, crashedAt),
      );
      console.log(`[lab] galera two_node_mode, crash of ${crashed} (cycle ${cycle}): writable on ${survivor} after ${after.toFixed(2)} s`);
      await lab.waitUntil(`the VIP on ${survivor}`, 10_000, (s) => vipOn(s) === survivor, survivor);
      const bootedAt = Date.now();
      await lab.start(crashed);
      await settled(`${crashed} back Synced (cycle ${cycle})`, lab.names);
      await sleep(1000);
      expect((await ledger.finish(writer)).length).toBeGreaterThan(0);
      console.log(
        `[lab] galera two_node_mode, ${crashed} rejoined (cycle ${cycle}): writes on ${survivor} paused at most ${longestPause(writer, bootedAt).toFixed(2)} s meanwhile`,
      );
      // The survivor is the only donor and the writer: the rejoin must be IST, never a copy that blocks it.
      expectRejoinedByIst(lab, crashed, logged);
      await verify(`two_node_mode crash cycle ${cycle} (crashed ${crashed})`);
    }
  });

  it('the link between the two unplugged under writes: the unplugged node is fenced, the VIP node takes writes alone, and the pair re-forms', async () => {
    const holder = vipOn(await settled('two Synced members', lab.names));
    const cut = lab.names.find((n) => n !== holder)!;
    const survivor = lab.names.find((n) => n !== cut)!;
    const logged = galeraAgentLog(lab, cut).length;
    const writer = startClient(lab, 'write', 240, ledger.nextId);
    await sleep(2000);
    const cutAt = Date.now();
    // Each half is quorate (two_node) and loses its primary component; the unplugged one cannot reach
    // the fence device, so its peer fences it and only then re-forms the primary component.
    await lab.link(cut, 'down');
    const after = await waitFor(`a write through the VIP on ${survivor}`, 90_000, async () => recoverySeconds(writer, cutAt));
    expect(lab.pid1(cut)).toBeUndefined();
    console.log(`[lab] galera two_node_mode, split: ${cut} fenced, writable on ${survivor} after ${after.toFixed(2)} s`);
    const bootedAt = Date.now();
    await lab.start(cut);
    await settled(`${cut} back Synced`, lab.names);
    await sleep(1000);
    expect((await ledger.finish(writer)).length).toBeGreaterThan(0);
    console.log(
      `[lab] galera two_node_mode, ${cut} rejoined after the split: writes on ${survivor} paused at most ${longestPause(writer, bootedAt).toFixed(2)} s meanwhile`,
    );
    expectRejoinedByIst(lab, cut, logged);
    await verify(`two_node_mode split (fenced ${cut})`);
  });
});
