import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashUnderClient, recoverySeconds } from '../lab/client.ts';
import { fenceHistory } from '../lab/fencing.ts';
import { Lab, runningOn, sleep } from '../lab/lab.ts';
import { fenceCrm } from '../lab/mysql-setup.ts';
import { diagnoseFailures } from '../lab/diagnostics.ts';

/** A group that holds only a VIP behind ocf:pacemaker:Dummy: the engine's own behaviour and floor. */
function dummyGroupCrm(lab: Lab): string {
  return [
    lab.stonith ? fenceCrm(lab) : '',
    'primitive db ocf:pacemaker:Dummy op monitor interval=5s timeout=20s',
    `primitive vip ocf:heartbeat:IPaddr2 params ip=${lab.vip} cidr_netmask=24 nic=eth0 op monitor interval=5s timeout=20s`,
    'group g_mysql db vip',
    'rsc_defaults resource-stickiness=100',
    '',
  ].join('\n');
}

async function vipHolders(lab: Lab): Promise<string[]> {
  const holders: string[] = [];
  for (const n of lab.names) if (await lab.holdsVip(n)) holders.push(n);
  return holders;
}

async function groupUp(lab: Lab): Promise<string> {
  const s = await lab.waitUntil('the group to run', 60_000, (s) => runningOn(s, 'vip').length === 1 && runningOn(s, 'db').length === 1);
  return runningOn(s, 'vip')[0]!;
}

describe('a 2-node lab with fencing (stonith-enabled=true, fence_tshalab)', () => {
  const lab = new Lab({ nodes: 2, stonith: true });
  diagnoseFailures(lab);

  beforeAll(async () => {
    await lab.up();
    await lab.loadCrm(dummyGroupCrm(lab));
    await groupUp(lab);
  });
  afterAll(() => lab.release());

  it('a cable unplug ends with exactly one node running the resources and the VIP', async () => {
    const active = await groupUp(lab);
    await lab.link(active, 'down');
    // The unplugged node cannot reach the fence device; its peer fences it and takes over.
    const survivor = lab.names.find((n) => n !== active)!;
    await lab.waitUntil('the survivor to run the group', 60_000, (s) => runningOn(s, 'vip').includes(survivor), survivor);
    await sleep(3000);
    expect(lab.pid1(active)).toBeUndefined();
    expect(await vipHolders(lab)).toEqual([survivor]);
    expect(
      fenceHistory(lab)
        .filter((f) => f.action === 'off' && f.result === 'ok')
        .map((f) => f.target),
    ).toEqual([active]);
    await lab.start(active);
    await lab.waitUntil('both nodes online', 60_000, (s) => lab.names.every((n) => s.online.includes(n)));
  });

  it('a crashed node is fenced before its resources move, and the floor failover time is measured', async () => {
    const active = await groupUp(lab);
    const survivor = lab.names.find((n) => n !== active)!;
    const fencedBefore = fenceHistory(lab).length;
    const {
      client: probe,
      crashedAt,
      recoveredSeenAt: movedSeenAt,
    } = await crashUnderClient(lab, active, 'probe', (s) => runningOn(s, 'vip').includes(survivor));
    const fence = fenceHistory(lab)
      .slice(fencedBefore)
      .find((f) => f.action === 'off' && f.target === active);
    expect(fence?.result).toBe('ok');
    // The VIP answered from the survivor only after the fence had completed.
    const firstUp = probe.lines.map((l) => l.split(' ')).find(([kind, at]) => kind === 'up' && Number(at) > fence!.at);
    const upBeforeFence = probe.lines
      .map((l) => l.split(' '))
      .filter(([kind, at]) => kind === 'up' && Number(at) > crashedAt + 500 && Number(at) < fence!.at);
    expect(upBeforeFence).toEqual([]);
    expect(firstUp).toBeDefined();
    expect(movedSeenAt).toBeGreaterThan(fence!.at);
    const floor = recoverySeconds(probe, crashedAt);
    console.log(
      `[lab] failover floor (ocf:pacemaker:Dummy + IPaddr2, 2 nodes, token ${lab.tokenMs} ms): crash to VIP answering ${floor?.toFixed(2)} s; fenced after ${((fence!.at - crashedAt) / 1000).toFixed(2)} s`,
    );
    expect(floor).toBeDefined();
    await lab.start(active);
    await lab.waitUntil('both nodes online', 60_000, (s) => lab.names.every((n) => s.online.includes(n)));
  });
});

describe('the same 2-node lab without fencing', () => {
  const lab = new Lab({ nodes: 2, stonith: false });
  diagnoseFailures(lab);

  beforeAll(async () => {
    await lab.up();
    await lab.loadCrm(dummyGroupCrm(lab));
    await groupUp(lab);
  });
  afterAll(() => lab.release());

  it('a cable unplug leaves the VIP up on both nodes: split brain', async () => {
    const active = await groupUp(lab);
    const other = lab.names.find((n) => n !== active)!;
    await lab.link(active, 'down');
    await lab.waitUntil('the other node to start the group too', 60_000, (s) => runningOn(s, 'vip').includes(other), other);
    await sleep(2000);
    expect((await vipHolders(lab)).sort()).toEqual([...lab.names].sort());
  });
});

describe('a 3-node lab with fencing', () => {
  const lab = new Lab({ nodes: 3, stonith: true });
  diagnoseFailures(lab);

  beforeAll(async () => {
    await lab.up();
    await lab.loadCrm(dummyGroupCrm(lab));
  });
  afterAll(() => lab.release());

  it('forms with every node online, and a crashed node is fenced while the other two keep quorum and the group', async () => {
    const active = await groupUp(lab);
    await lab.crash(active);
    const rest = lab.names.filter((n) => n !== active);
    const s = await lab.waitUntil('the group on a survivor', 60_000, (s) => rest.includes(runningOn(s, 'vip')[0] ?? ''), rest[0]);
    expect([...s.online].sort()).toEqual([...rest].sort());
    expect(fenceHistory(lab).some((f) => f.action === 'off' && f.target === active && f.result === 'ok')).toBe(true);
    expect(await vipHolders(lab)).toEqual(runningOn(s, 'vip'));
  });
});

describe('the floor for a promotable clone: ocf:pacemaker:Stateful with a VIP on the promoted instance', () => {
  const lab = new Lab({ nodes: 2, stonith: true });
  diagnoseFailures(lab);

  beforeAll(async () => {
    await lab.up();
    await lab.loadCrm(
      [
        fenceCrm(lab),
        'primitive db ocf:pacemaker:Stateful op monitor interval=5s role=Promoted timeout=20s op monitor interval=6s role=Unpromoted timeout=20s',
        'clone ms_db db meta promotable=true promoted-max=1 clone-max=2 notify=true',
        `primitive vip ocf:heartbeat:IPaddr2 params ip=${lab.vip} cidr_netmask=24 nic=eth0 op monitor interval=5s timeout=20s`,
        'colocation vip_on_promoted inf: vip ms_db:Promoted',
        'order promote_before_vip Mandatory: ms_db:promote vip:start',
        'rsc_defaults resource-stickiness=100',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => lab.release());

  it('a crash of the promoted node: time from the crash to the VIP answering on the survivor', async () => {
    const s = await lab.waitUntil(
      'a promoted instance with the VIP',
      60_000,
      (s) =>
        runningOn(s, 'db', 'Promoted').length === 1 &&
        runningOn(s, 'vip')[0] === runningOn(s, 'db', 'Promoted')[0] &&
        runningOn(s, 'db', 'Unpromoted').length === 1,
    );
    const active = runningOn(s, 'vip')[0]!;
    const survivor = lab.names.find((n) => n !== active)!;
    const { client: probe, crashedAt } = await crashUnderClient(
      lab,
      active,
      'probe',
      (s) => runningOn(s, 'vip')[0] === survivor && runningOn(s, 'db', 'Promoted')[0] === survivor,
    );
    const floor = recoverySeconds(probe, crashedAt);
    console.log(
      `[lab] failover floor (ocf:pacemaker:Stateful promotable + IPaddr2, 2 nodes, token ${lab.tokenMs} ms): crash to VIP answering ${floor?.toFixed(2)} s`,
    );
    expect(floor).toBeDefined();
  });
});
