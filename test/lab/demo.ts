// The README's first command ends here: a 2-node Pacemaker cluster running ocf:tsha:mysql with a VIP,
// rows written through the VIP, the active node crashed, the rows checked on the survivor.
//   node test/lab/demo.ts [--keep] [--ms | --openstack [--active-active] | --galera]
// --ms: the seed's master/slave configuration (promotable clone, GTID + semi-sync replication, the
// VIP on the master) instead of the active/passive group on a shared disk.
// --openstack: the seed's whole control plane on top of the master/slave set (RabbitMQ, keystone,
// placement, glance, nova), the node running Keystone crashed, and the time until a token, the image
// list and the compute service list answer through the VIPs again.
// --openstack --active-active: the README's recommended layout instead (every API and RPC service
// cloned on both nodes, VIPs with their clones); the database master's node, the worst to lose, crashed.
// --galera: a 3-node MariaDB Galera Cluster under ocf:tsha:galera with a writer VIP, a client writing
// through it, the whole cluster powered off at once and booted, the time until writes succeed again.
import { existsSync } from 'node:fs';
import { acknowledged, crashUnderClient, firstAckAfter, recoverySeconds, rowsThroughVip, startClient } from './client.ts';
import { createDemoSchema, galeraCrm, galeraSettled, prepareGaleraNodes } from './galera-setup.ts';
import { Lab, runningOn, sleep, waitFor, type ClusterStatus } from './lab.ts';
import { mysqlGroupCrm, prepareSharedMysql } from './mysql-setup.ts';
import {
  answersAgain,
  controlPlaneClient,
  controlPlaneSettled,
  openstackSql,
  prepareControlPlane,
  startControlPlane,
  watchControlPlane,
} from './openstack-setup.ts';
import { masterSlaveCrm, prepareReplicas, setMasterAddresses } from './replication-setup.ts';

const keep = process.argv.includes('--keep');
const openstack = process.argv.includes('--openstack');
const activeActive = openstack && process.argv.includes('--active-active');
const galera = process.argv.includes('--galera');
const ms = openstack || process.argv.includes('--ms');
const lab = new Lab({ nodes: galera ? 3 : 2, stonith: true });
const say = (text: string) => console.log(`\n== ${text}`);

async function show(node: string): Promise<void> {
  const r = await lab.exec(node, ['crm_mon', '-1r']);
  console.log(r.stdout.trim());
}

/** The seed's OpenStack control plane: up, checked through its VIPs, the Keystone node crashed, checked again. */
async function demoOpenstack(): Promise<string> {
  const promoted = (s: Parameters<typeof runningOn>[0]) => runningOn(s, 'db', 'Promoted');
  const s = await lab.waitUntil(
    'the database promoted with its VIP',
    120_000,
    (s) => promoted(s).length === 1 && runningOn(s, 'vip')[0] === promoted(s)[0],
  );
  // The README's recommended kernel setting, where the kernel has it (Linux 6.15 and later), before any
  // service opens its database connections (a socket takes the value when it is created).
  if (activeActive && existsSync('/proc/sys/net/ipv4/tcp_rto_max_ms')) {
    say('net.ipv4.tcp_rto_max_ms=1000 on every node (the recommended configuration)');
    for (const node of lab.names) await lab.mustExec(node, ['sysctl', '-q', '-w', 'net.ipv4.tcp_rto_max_ms=1000']);
  }
  say('creating the OpenStack schemas and keys through the database VIP');
  const plane = await prepareControlPlane(lab, promoted(s)[0]!, activeActive ? 'active-active' : 'seed');
  const client = controlPlaneClient(lab, plane);
  say('RabbitMQ and the Keystone group, then the catalog, then glance, placement and nova');
  const up = await startControlPlane(lab, plane, (crm) => console.log(crm.trim()));
  if (activeActive) await lab.waitUntil('every clone on both nodes', 300_000, (s) => controlPlaneSettled(s, lab.names, 'active-active'));
  const check = async () => {
    const r = await client('check');
    return r.code === 0 ? r.stdout.trim() : undefined;
  };
  await waitFor('the services to answer through their VIPs', 120_000, check, 1000);
  // The seed loses the node running Keystone; active/active the database master's, where the most moves.
  const victim = activeActive ? promoted(await lab.status())[0]! : runningOn(up, 'keystone')[0]!;
  const survivor = lab.names.find((n) => n !== victim)!;
  say(`crm_mon on ${victim}`);
  await show(victim);
  say(`through the VIPs: ${await check()}`);
  say(`crashing ${victim}, the node running ${activeActive ? 'the database master' : 'Keystone'}, while a client asks through the VIPs`);
  const watcher = watchControlPlane(lab, plane, 300);
  await sleep(2000);
  const crashedAt = Date.now();
  await lab.crash(victim);
  const outage = await answersAgain(watcher, crashedAt, 3000, `the control plane back on ${survivor}`);
  watcher.child.kill();
  await watcher.done;
  const recovered = outage.answeredAfter ?? Number.NaN;
  const answer = await waitFor(
    `every service answering from ${survivor}`,
    300_000,
    async () => {
      const r = await check();
      return r?.includes(`nova-scheduler@${survivor}`) ? r : undefined;
    },
    500,
  );
  say(`crm_mon on ${survivor}`);
  await show(survivor);
  say(`through the VIPs: ${answer}`);
  return `control plane recovered on ${survivor} (${activeActive ? 'active/active' : 'seed'} layout): a token, the image list and the compute service list answer through the VIPs ${recovered.toFixed(1)} s after the crash`;
}

/** Galera: three Synced members, a writer through the VIP, every node powered off at once, booted, writes again. */
async function demoGalera(): Promise<string> {
  await prepareGaleraNodes(lab);
  const crm = galeraCrm(lab, { spelling: 'master-slave' });
  say('loading the configuration (crm configure load update)');
  console.log(crm.trim());
  await lab.loadCrm(crm);
  const synced = galeraSettled(lab.names);
  const s = await lab.waitUntil('three Synced Galera members and the VIP', 180_000, synced);
  await createDemoSchema(lab, runningOn(s, 'vip')[0]!);
  say(`crm_mon on ${lab.names[0]}`);
  await show(lab.names[0]!);
  say(`writing rows through the VIP from a client host (${lab.clientAddress}), then powering off all three nodes at once`);
  const writer = startClient(lab, 'write', 300);
  await sleep(4000);
  console.log(`${lab.names.join(', ')} powered off (every process killed, links down), then booted together`);
  const bootedAt = await lab.powerLoss();
  await waitFor('a write through the VIP after the boot', 180_000, async () => firstAckAfter(writer, bootedAt));
  const writable = firstAckAfter(writer, bootedAt)!;
  const after = await lab.waitUntil('three Synced members again', 180_000, synced);
  await sleep(2000);
  writer.child.kill();
  await writer.done;
  say(`crm_mon on ${runningOn(after, 'vip')[0]}`);
  await show(runningOn(after, 'vip')[0]!);
  const acked = acknowledged(writer);
  const found = await rowsThroughVip(lab, 1, acked.at(-1)! + 1000);
  const missing = acked.length - (await rowsThroughVip(lab, 1, acked.at(-1)!));
  return `whole-cluster power loss: writable ${writable.toFixed(2)} s after the boot (bootstrapped from the most advanced member); rows acknowledged ${acked.length}, rows found ${found}${missing > 0 ? ` (${missing} acknowledged rows missing)` : ''}`;
}

async function demo(): Promise<string> {
  say(`booting a ${lab.names.length}-node Pacemaker + Corosync cluster in network namespaces (${lab.subnet}.0/24, VIP ${lab.vip})`);
  const t = Date.now();
  await lab.up();
  console.log(`cluster formed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  if (galera) return demoGalera();
  if (ms) {
    await prepareReplicas(lab, openstack ? openstackSql() : []);
    for (const command of setMasterAddresses(lab)) await lab.mustExec(lab.names[0]!, command);
  } else {
    await prepareSharedMysql(lab);
  }
  const crm = ms ? masterSlaveCrm(lab) : mysqlGroupCrm(lab);
  // Where the writes go: the group's node, or the master of the ms resource.
  const dbOn = (s: Parameters<typeof runningOn>[0]) => (ms ? runningOn(s, 'db', 'Promoted') : runningOn(s, 'db'));
  say('loading the configuration (crm configure load update)');
  console.log(crm.trim());
  await lab.loadCrm(crm);
  if (openstack) return demoOpenstack();
  const s = await lab.waitUntil(
    'MySQL and the VIP to start',
    90_000,
    (s) => runningOn(s, 'vip').length === 1 && dbOn(s).length === 1 && dbOn(s)[0] === runningOn(s, 'vip')[0],
  );
  const active = runningOn(s, 'vip')[0]!;
  const survivor = lab.names.find((n) => n !== active)!;
  say(`crm_mon on ${active}`);
  await show(active);

  say(`writing rows through the VIP from a client host (${lab.clientAddress}), then crashing ${active}`);
  const { client: writer, crashedAt } = await crashUnderClient(
    lab,
    active,
    'write',
    (s) => runningOn(s, 'vip').includes(survivor) && dbOn(s).includes(survivor),
    { beforeMs: 3000 },
  );
  console.log(`${active} crashed (every process killed, link down); ${survivor} fenced it and took over`);
  say(`crm_mon on ${survivor}`);
  await show(survivor);

  const acked = acknowledged(writer);
  const failover = recoverySeconds(writer, crashedAt);
  const found = await rowsThroughVip(lab, 1, acked.length + 1000);
  const lost = acked.filter((id) => id > found).length;
  return `failover: ${failover?.toFixed(2) ?? '?'} s, rows written ${acked.length}, rows found ${found}${lost > 0 ? ` (${lost} acknowledged rows missing)` : ''}`;
}

// Interrupted (Ctrl-C), the demo still leaves nothing behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void lab.down().finally(() => process.exit(130));
  });
}

let summary: string;
try {
  summary = await demo();
} catch (error) {
  console.error(`demo failed: ${(error as Error).message}`);
  await lab.down();
  process.exit(1);
}
if (keep) {
  say('the lab stays up; to look around:');
  console.log(`  node test/lab/cli.ts exec n1 crm_mon -1r              # (or n2) the cluster as a node sees it
  ip netns exec ${lab.ns('cl')} mariadb -h ${lab.vip} -uapp -papp-secret demo -e 'SELECT COUNT(*) FROM rows'
  node test/lab/cli.ts start n1                           # boot a crashed node again
  node test/lab/cli.ts down                               # remove the lab
  (run them with tsha's Node: export PATH=$(./install.sh --runtime | xargs dirname):$PATH)`);
} else {
  await lab.down();
}
console.log(`\n${summary}`);
