// Benchmark, not a test: what the monitor of a promotable replica costs at OCF_CHECK_LEVEL=10, tsha's
// mysql agent against resource-agents' heartbeat/mysql, on the same replica of a live 2-node lab cluster
// (real CIB and attrd, so every crm_attribute the agents run is a real round trip).
//
//   node bench/replica-monitor.ts [--runs N]
//
// Measured as bench/monitor.mjs does (measure.mjs), inside the replica node's namespaces. Prints
// figures and exits 0; non-zero only when the lab cannot be set up.
import { parseArgs } from 'node:util';
import { mariadbArgv } from '../test/lab/consistency.ts';
import { Lab, runningOn } from '../test/lab/lab.ts';
import { masterSlaveCrm, prepareReplicas, REPLICA_PARAMS, setMasterAddresses } from '../test/lab/replication-setup.ts';
import { countRun, median, timedRun } from './measure.mjs';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(args.runs);
const lab = new Lab({ nodes: 2, stonith: true, prefix: 'tshabench' });

function params(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(' ')
      .filter(Boolean)
      .map((kv) => [`OCF_RESKEY_${kv.split('=')[0]}`, kv.slice(kv.indexOf('=') + 1)]),
  );
}

async function main(): Promise<void> {
  console.log('bringing up a 2-node lab with the ms configuration (tsha) ...');
  await lab.up();
  await prepareReplicas(lab);
  for (const command of setMasterAddresses(lab)) await lab.mustExec(lab.names[0]!, command);
  await lab.loadCrm(masterSlaveCrm(lab));
  const s = await lab.waitUntil(
    'a promoted and a replicating instance',
    120_000,
    (s) => runningOn(s, 'db', 'Promoted').length === 1 && runningOn(s, 'db', 'Unpromoted').length === 1,
  );
  const replica = runningOn(s, 'db', 'Unpromoted')[0]!;
  await lab.waitUntilSql(replica, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
  // A test_user that may run the test query but not read the replication status: the agent then reads
  // the role as replication_user, a second SQL session (what every depth-10 monitor did before).
  const primary = runningOn(s, 'db', 'Promoted')[0]!;
  await lab.mustExec(
    primary,
    mariadbArgv(
      "CREATE USER 'benchprobe'@'localhost' IDENTIFIED BY 'benchprobe-pw'; GRANT SELECT ON mysql.user TO 'benchprobe'@'localhost'",
    ),
  );
  await lab.waitUntilSql(replica, "SELECT COUNT(*) FROM mysql.user WHERE User='benchprobe'", /^1$/m, 30_000);
  const prefix = lab.inNode(replica, [])!;
  const common = {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    OCF_ROOT: '/usr/lib/ocf',
    OCF_RA_VERSION_MAJOR: '1',
    OCF_RA_VERSION_MINOR: '1',
    OCF_RESOURCE_INSTANCE: 'db',
    OCF_RESOURCE_TYPE: 'mysql',
    OCF_RESKEY_CRM_meta_interval: '6000',
    OCF_RESKEY_CRM_meta_timeout: '20000',
    OCF_RESKEY_CRM_meta_promotable: 'true',
    OCF_RESKEY_CRM_meta_notify: 'true',
    OCF_RESKEY_CRM_meta_clone_max: '2',
    OCF_RESKEY_CRM_meta_promoted_max: '1',
    OCF_RESKEY_CRM_meta_master_max: '1',
    OCF_RESKEY_CRM_meta_on_node: replica,
    OCF_CHECK_LEVEL: '10',
    HA_LOGFACILITY: 'none',
    OCF_RESKEY_test_user: 'root',
    OCF_RESKEY_test_table: 'mysql.user',
    ...params(REPLICA_PARAMS),
  };
  const agents = [
    { name: 'tsha', argv: ['/usr/lib/ocf/resource.d/tsha/mysql', 'monitor'], env: { ...common, OCF_RESOURCE_PROVIDER: 'tsha' } },
    {
      name: 'tsha-2sess',
      argv: ['/usr/lib/ocf/resource.d/tsha/mysql', 'monitor'],
      env: { ...common, OCF_RESOURCE_PROVIDER: 'tsha', OCF_RESKEY_test_user: 'benchprobe', OCF_RESKEY_test_passwd: 'benchprobe-pw' },
    },
    // The runtime's floor: tsha's Node starting and doing nothing.
    { name: 'node -e 0', argv: [process.execPath, '-e', '0'], env: common },
    // heartbeat/mysql writes a promotion score on every replica monitor (3600 for a healthy one): under
    // another instance name, so that its writes cost what they cost without moving the real primary.
    {
      name: 'heartbeat',
      argv: ['/usr/lib/ocf/resource.d/heartbeat/mysql', 'monitor'],
      env: { ...common, OCF_RESOURCE_PROVIDER: 'heartbeat', OCF_RESOURCE_INSTANCE: 'hb_bench' },
    },
  ];
  const results: Record<string, { wall: number[]; cpu: number[]; rss: number[]; procs: number[]; rc: number[] }> = {};
  for (const a of agents) {
    results[a.name] = { wall: [], cpu: [], rss: [], procs: [], rc: [] };
    const first = await timedRun(a, a.env, prefix);
    console.log(`${a.name}: first run rc ${first.rc}${first.rc === 0 ? '' : `: ${first.output.slice(-300)}`}`);
  }
  for (let i = 0; i < runs; i++) {
    for (const a of agents) {
      const r = await timedRun(a, a.env, prefix);
      const row = results[a.name]!;
      row.wall.push(r.wallMs);
      row.cpu.push(r.cpuMs);
      row.rss.push(r.rssMiB);
      row.rc.push(r.rc);
    }
  }
  for (const a of agents) {
    for (let i = 0; i < Math.min(runs, 10); i++)
      results[a.name]!.procs.push(await countRun(a, a.env, `/tmp/${lab.prefix}-trace.txt`, prefix));
  }
  const t = results.tsha!;
  const h = results.heartbeat!;
  const row = (name: string, r: typeof t) =>
    `${name.padEnd(11)}${median(r.wall).toFixed(1).padStart(8)} ${median(r.cpu).toFixed(1).padStart(8)} ${String(median(r.procs)).padStart(9)} ${median(r.rss).toFixed(1).padStart(12)}   rc ${[...new Set(r.rc)].join('/')}`;
  console.log(`\nreplica monitor, OCF_CHECK_LEVEL=10, on ${replica} of a live 2-node cluster (${runs} runs each, medians)`);
  console.log('agent       wall ms   CPU ms  children  peak RSS MiB');
  const two = results['tsha-2sess']!;
  const floor = results['node -e 0']!;
  console.log(row('tsha', t));
  console.log(row('tsha-2sess', two));
  console.log(row('node -e 0', floor));
  console.log(row('heartbeat', h));
  console.log('tsha-2sess: test_user without REPLICATION CLIENT, so the role is read as replication_user (a second session)');
  console.log(
    `one session saves ${(median(two.cpu) - median(t.cpu)).toFixed(1)} ms CPU; tsha above node -e 0: ${(median(t.cpu) - median(floor.cpu)).toFixed(1)} ms CPU; ` +
      `node -e 0 alone is ${(median(floor.cpu) / median(h.cpu)).toFixed(2)}x heartbeat's CPU`,
  );
  const wall = median(t.wall) / median(h.wall);
  const cpu = median(t.cpu) / median(h.cpu);
  console.log(`tsha/hb     ${wall.toFixed(2)}x    ${cpu.toFixed(2)}x`);
  console.log(
    `\ntargets:\n  ${wall <= 0.5 ? 'met   ' : 'MISSED'}  wall <= 0.5x heartbeat   ${wall.toFixed(2)}x\n  ${cpu <= 0.5 ? 'met   ' : 'MISSED'}  CPU <= 0.5x heartbeat    ${cpu.toFixed(2)}x\n  ${Math.max(...t.procs) === 0 ? 'met   ' : 'MISSED'}  no child process when nothing changed (max ${Math.max(...t.procs)})`,
  );
}

try {
  await main();
} finally {
  await lab.release();
}
