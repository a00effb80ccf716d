// Benchmark, not a test: failover time in the lab, median over repeated crashes, for tsha's mysql and
// for the engine's floor measured the same way with Pacemaker's own agents.
//
//   node bench/failover.ts [--repeats N]
//
// Each configuration gets a fresh 2-node lab (fencing on, token 1000 ms). Each repeat: a client in the
// lab writes through the VIP (tsha) or probes it (floor), the node holding the VIP is crashed, and the
// time from the crash to the first acknowledged write (or the VIP answering) is taken; the crashed node
// is booted again before the next repeat. Acknowledged writes missing afterwards are counted.
import { parseArgs } from 'node:util';
import { acknowledged, crashUnderClient, recoverySeconds, rowsThroughVip } from '../test/lab/client.ts';
import { Lab, runningOn, type ClusterStatus } from '../test/lab/lab.ts';
import { fenceCrm, mysqlGroupCrm, prepareSharedMysql } from '../test/lab/mysql-setup.ts';
import { masterSlaveCrm, prepareReplicas, setMasterAddresses } from '../test/lab/replication-setup.ts';
import { median } from './measure.mjs';

const { values: args } = parseArgs({ options: { repeats: { type: 'string', default: '5' } } });
const repeats = Number(args.repeats);

interface Setup {
  readonly name: string;
  readonly prepare: (lab: Lab) => Promise<void>;
  readonly crm: (lab: Lab) => string;
  /** Node that holds the VIP and the writable database, once the configuration is settled. */
  readonly active: (s: ClusterStatus) => string | undefined;
  readonly writes: boolean;
}

const promoted = (s: ClusterStatus) => [...runningOn(s, 'db', 'Promoted')];
const settled = (s: ClusterStatus, node: string | undefined) => (node !== undefined && runningOn(s, 'vip')[0] === node ? node : undefined);

const setups: Setup[] = [
  {
    name: 'floor: ocf:pacemaker:Dummy + IPaddr2 group',
    prepare: async () => undefined,
    crm: (lab) =>
      `${fenceCrm(lab)}primitive db ocf:pacemaker:Dummy op monitor interval=5s\n` +
      `primitive vip ocf:heartbeat:IPaddr2 params ip=${lab.vip} cidr_netmask=24 nic=eth0 op monitor interval=5s\ngroup g_mysql db vip\nrsc_defaults resource-stickiness=100\n`,
    active: (s) => settled(s, runningOn(s, 'db')[0]),
    writes: false,
  },
  {
    name: 'tsha: ocf:tsha:mysql (shared disk) + IPaddr2 group',
    prepare: (lab) => prepareSharedMysql(lab),
    crm: (lab) => mysqlGroupCrm(lab),
    active: (s) => settled(s, runningOn(s, 'db')[0]),
    writes: true,
  },
  {
    name: 'floor: ocf:pacemaker:Stateful promotable + VIP',
    prepare: async () => undefined,
    crm: (lab) =>
      `${fenceCrm(lab)}primitive db ocf:pacemaker:Stateful op monitor interval=5s role=Promoted op monitor interval=6s role=Unpromoted\n` +
      'clone ms_db db meta promotable=true promoted-max=1 clone-max=2 notify=true\n' +
      `primitive vip ocf:heartbeat:IPaddr2 params ip=${lab.vip} cidr_netmask=24 nic=eth0 op monitor interval=5s\n` +
      'colocation vip_on_promoted inf: vip ms_db:Promoted\norder promote_before_vip Mandatory: ms_db:promote vip:start\nrsc_defaults resource-stickiness=100\n',
    active: (s) => (runningOn(s, 'db', 'Unpromoted').length === 1 ? settled(s, promoted(s)[0]) : undefined),
    writes: false,
  },
  {
    name: 'tsha: ocf:tsha:mysql promotable (GTID, semi-sync) + VIP',
    prepare: async (lab) => {
      await prepareReplicas(lab);
      for (const command of setMasterAddresses(lab)) await lab.mustExec(lab.names[0]!, command);
    },
    crm: (lab) => masterSlaveCrm(lab),
    active: (s) => (runningOn(s, 'db', 'Unpromoted').length === 1 ? settled(s, promoted(s)[0]) : undefined),
    writes: true,
  },
];

const lab = new Lab({ nodes: 2, stonith: true, prefix: 'tshabench' });
const results: { name: string; seconds: number[]; lost: number }[] = [];
try {
  for (const setup of setups) {
    await lab.up();
    await setup.prepare(lab);
    await lab.loadCrm(setup.crm(lab));
    const row = { name: setup.name, seconds: [] as number[], lost: 0 };
    let nextId = 1;
    for (let i = 0; i < repeats; i++) {
      const s = await lab.waitUntil('a settled configuration', 120_000, (s) => setup.active(s) !== undefined && s.online.length === 2);
      const active = setup.active(s)!;
      const survivor = lab.names.find((n) => n !== active)!;
      const { client, crashedAt } = await crashUnderClient(
        lab,
        active,
        setup.writes ? 'write' : 'probe',
        (s) => runningOn(s, 'vip')[0] === survivor,
        { firstId: nextId, afterMs: 2500 },
      );
      const t = recoverySeconds(client, crashedAt);
      if (t !== undefined) row.seconds.push(t);
      if (setup.writes) {
        const acked = acknowledged(client);
        if (acked.length > 0) {
          row.lost += acked.length - (await rowsThroughVip(lab, acked[0]!, acked.at(-1)!));
          nextId = acked.at(-1)! + 1000;
        }
      }
      console.log(`${setup.name}: repeat ${i + 1}: ${t?.toFixed(2) ?? '?'} s`);
      await lab.start(active);
    }
    results.push(row);
  }
} finally {
  await lab.down();
}
console.log(
  `\nfailover, crash of the active node to the first write acknowledged through the VIP (floor: to the VIP answering), 2 nodes, fencing, token 1000 ms, ${repeats} repeats`,
);
for (const r of results) {
  console.log(
    `  ${r.name.padEnd(58)} median ${median(r.seconds).toFixed(2)} s  (min ${Math.min(...r.seconds).toFixed(2)}, max ${Math.max(...r.seconds).toFixed(2)})${r.name.startsWith('tsha') ? `  acknowledged writes lost: ${r.lost}` : ''}`,
  );
}
const [dummy, group, stateful, ms] = results.map((r) => median(r.seconds));
console.log(
  `\ntargets (tsha <= floor + 1.5 s):\n  group: ${group!.toFixed(2)} vs ${(dummy! + 1.5).toFixed(2)}  ${group! <= dummy! + 1.5 ? 'met' : 'MISSED'}\n  promotable: ${ms!.toFixed(2)} vs ${(stateful! + 1.5).toFixed(2)}  ${ms! <= stateful! + 1.5 ? 'met' : 'MISSED'}`,
);
