// Benchmark, not a test: what the monitor of a promotable replica costs at OCF_CHECK_LEVEL=10, tsha's
// mysql agent against resource-agents' heartbeat/mysql, on the same replica of a live 2-node lab cluster
// (real CIB and attrd, so every crm_attribute the agents run is a real round trip).
//
//   node bench/replica-monitor.ts [--runs N] [--baseline PATH]
//
// --baseline: another build of the mysql agent (say, the previous commit's bundle behind the same
// launcher as the installed one), timed in the same rounds as a row of its own.
//
// Measured as bench/monitor.mjs does (measure.mjs), inside the replica node's namespaces. Prints
// figures and exits 0; non-zero only when the lab cannot be set up.
import { parseArgs } from 'node:util';
import { countRun, median, timedRun } from './measure.mjs';
import { startMsLab } from './ms-lab.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '20' }, baseline: { type: 'string' } } });
const runs = Number(args.runs);

async function main(): Promise<void> {
  console.log('bringing up a 2-node lab with the ms configuration (tsha) ...');
  // A test_user that may run the test query but not read the replication status: the agent then reads
  // the role as replication_user, a second SQL session (what every depth-10 monitor did before).
  const ms = await startMsLab('tshabench', [
    "CREATE USER 'benchprobe'@'localhost' IDENTIFIED BY 'benchprobe-pw'; GRANT SELECT ON mysql.user TO 'benchprobe'@'localhost'",
  ]);
  try {
    await measure(ms);
  } finally {
    await ms.release();
  }
}

async function measure(ms: Awaited<ReturnType<typeof startMsLab>>): Promise<void> {
  const { lab, replica } = ms;
  await lab.waitUntilSql(replica, "SELECT COUNT(*) FROM mysql.user WHERE User='benchprobe'", /^1$/m, 30_000);
  const prefix = ms.prefix(replica);
  const common = ms.env(replica, 'tsha');
  const agents = [
    { name: 'tsha', argv: ['/usr/lib/ocf/resource.d/tsha/mysql', 'monitor'], env: common },
    {
      name: 'tsha-2sess',
      argv: ['/usr/lib/ocf/resource.d/tsha/mysql', 'monitor'],
      env: { ...common, OCF_RESKEY_test_user: 'benchprobe', OCF_RESKEY_test_passwd: 'benchprobe-pw' },
    },
    ...(args.baseline ? [{ name: 'baseline', argv: [args.baseline, 'monitor'], env: { ...common, OCF_RESOURCE_PROVIDER: 'tsha' } }] : []),
    // The runtime's floor: tsha's Node starting and doing nothing.
    { name: 'node -e 0', argv: [process.execPath, '-e', '0'], env: common },
    // heartbeat/mysql writes a promotion score on every replica monitor (3600 for a healthy one).
    { name: 'heartbeat', argv: ['/usr/lib/ocf/resource.d/heartbeat/mysql', 'monitor'], env: ms.env(replica, 'heartbeat') },
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
  if (results.baseline) console.log(row('baseline', results.baseline));
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
  if (results.baseline) {
    const b = results.baseline;
    console.log(`baseline/hb ${(median(b.wall) / median(h.wall)).toFixed(2)}x    ${(median(b.cpu) / median(h.cpu)).toFixed(2)}x`);
  }
  console.log(
    `\ntargets:\n  ${wall <= 0.5 ? 'met   ' : 'MISSED'}  wall <= 0.5x heartbeat   ${wall.toFixed(2)}x\n  ${cpu <= 0.5 ? 'met   ' : 'MISSED'}  CPU <= 0.5x heartbeat    ${cpu.toFixed(2)}x\n  ${Math.max(...t.procs) === 0 ? 'met   ' : 'MISSED'}  no child process when nothing changed (max ${Math.max(...t.procs)})`,
  );
}

await main();
