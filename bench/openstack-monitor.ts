// Benchmark, not a test: what one monitor of each OpenStack service costs with tsha's agents (depth 0
// and 10) and with the old openstack-resource-agents shell agents, against the same real services
// (Debian 12's OpenStack Zed, set up by test/support/openstack.ts).
//
//   node bench/openstack-monitor.ts [--runs N] [--old DIR] [--baseline DIR]
//
// DIR holds the old agents (ocf/ of openstack/openstack-resource-agents, last code commit 42bb0c5); they
// are not part of tsha and are not shipped: without --old (or $TSHA_OLD_AGENTS) only tsha is measured.
// The old agents run here as far as they can: their keystone and glance-api monitors are pid-only here
// (no `keystone`/`glance` CLI exists, and glance-api's API check is dead code since 2016); nova-api curls a
// Keystone v2.0 token URL that Zed no longer has, then the API; the RPC monitor greps `netstat -punt` for
// the pid's database and AMQP connections — measured with the nova-network agent, because nova-scheduler's
// copy refuses any port that is not four digits long (exit 6) and the lab's ports have five.
// Measured as bench/monitor.mjs does (measure.mjs). Prints figures and exits 0.
import { get } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openstackCloud } from '../test/support/openstack.ts';
import { runAgent } from '../test/support/run-agent.ts';
import { baselineLauncher } from './baseline.ts';
import { measureAll, median } from './measure.mjs';
import { env, oldRows, startServices, TSHA, type Row } from './openstack-agents.ts';

/**
 * Node programs that only make the depth-0 request: with node:http, reading the answer; and as tsha does
 * it (shared/openstack/http-status.ts), over node:net to the status line — the floor of tsha's check.
 */
const STATUS_ONLY =
  "const u = new URL(process.env.TSHA_URL); const s = require('node:net').connect(Number(u.port || 80), u.hostname); " +
  "s.once('connect', () => s.write(`GET ${u.pathname} HTTP/1.1\\r\\nHost: ${u.host}\\r\\nConnection: close\\r\\n\\r\\n`)); " +
  "s.once('data', () => s.destroy()); s.once('error', () => process.exit(1));";
const GET_ONLY =
  "require('node:http').get(process.env.TSHA_URL, { agent: false }, (r) => r.resume().on('end', () => {})).on('error', () => process.exit(1));";

/** The median time for the service to answer a GET on a new connection, measured from this process. */
async function responseMs(url: string, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) =>
      get(url, { agent: false, timeout: 10_000 }, (r) => r.resume().on('end', resolve)).on('error', reject),
    );
    times.push(performance.now() - t0);
  }
  return median(times);
}

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    old: { type: 'string', default: process.env.TSHA_OLD_AGENTS ?? '' },
    baseline: { type: 'string' }, // another build's build/out, its depth-0 monitors timed in the same rounds
  },
});
const runs = Number(args.runs);
const oldDir = args.old;

const cloud = await openstackCloud();
const started: [string, Record<string, string>][] = [];
try {
  const order = await startServices(cloud, started);
  const rows: Row[] = [];
  for (const [agent, params] of order) {
    rows.push({ service: agent, name: 'tsha depth 0', argv: [join(TSHA, agent), 'monitor'], env: env(agent, params) });
    if (args.baseline)
      rows.push({
        service: agent,
        name: 'baseline depth 0',
        argv: [baselineLauncher(args.baseline, agent, cloud.dir), 'monitor'],
        env: env(agent, params),
      });
    if (agent !== 'nova-novncproxy')
      rows.push({
        service: agent,
        name: 'tsha depth 10',
        argv: [join(TSHA, agent), 'monitor'],
        env: env(agent, params, { OCF_CHECK_LEVEL: '10' }),
      });
  }
  // The floors of issue 10 §3, timed in the same rounds: Node doing nothing, and Node doing only the
  // depth-0 check's request (load node:http, one GET on a new connection, as the agent makes it).
  const node = process.execPath;
  rows.push({ service: '', name: 'node -e 0', argv: [node, '-e', '0'], env: {} });
  for (const [agent, params] of order) {
    if (params.url === undefined) continue;
    rows.push({ service: agent, name: 'node:http GET only', argv: [node, '-e', GET_ONLY], env: { TSHA_URL: params.url } });
    rows.push({ service: agent, name: 'node:net status only', argv: [node, '-e', STATUS_ONLY], env: { TSHA_URL: params.url } });
  }
  rows.push(...oldRows(cloud, oldDir));
  const results = await measureAll(rows, runs, join(cloud.dir, 'trace.txt'));
  // The service's own answer to that GET, from this warm process (a new connection each time).
  const answers = new Map<string, number>();
  for (const [agent, params] of order) if (params.url !== undefined) answers.set(agent, await responseMs(params.url, runs));
  const floor = median(results.find((r) => r.name === 'node -e 0')!.wall);
  console.log(
    `\nOpenStack service monitors (${runs} runs each, medians; old agents ${oldDir ? `from ${oldDir}` : 'not given (--old DIR)'})`,
  );
  console.log('service          agent                  wall ms   CPU ms  children  peak RSS MiB');
  console.log(`${''.padEnd(16)} ${'node -e 0'.padEnd(20)} ${floor.toFixed(1).padStart(8)}`);
  for (const service of order.map(([a]) => a)) {
    const mine = results.filter((r) => r.service === service);
    for (const r of mine) {
      console.log(
        `${service.padEnd(16)} ${r.name.padEnd(20)} ${median(r.wall).toFixed(1).padStart(8)} ${median(r.cpu).toFixed(1).padStart(8)} ${String(median(r.procs)).padStart(9)} ${median(r.rss).toFixed(1).padStart(12)}   rc ${[...r.rc].join('/')}`,
      );
    }
    const old = mine.find((r) => r.name.startsWith('old'));
    const zero = mine.find((r) => r.name === 'tsha depth 0')!;
    const answer = answers.get(service);
    if (answer !== undefined) {
      const above = median(zero.wall) - floor;
      const status = median(mine.find((r) => r.name === 'node:net status only')!.wall) - floor;
      console.log(
        `${''.padEnd(16)} depth 0 above node -e 0 (${floor.toFixed(1)} ms): +${above.toFixed(1)} ms; the service's answer ` +
          `${answer.toFixed(1)} ms (from a warm process): +${(above - answer).toFixed(1)} ms besides (target <= +10 ms); ` +
          `a Node program that only reads the status line: +${status.toFixed(1)} ms, tsha above it +${(above - status).toFixed(1)} ms`,
      );
    }
    if (old)
      console.log(
        `${''.padEnd(16)} tsha depth 0 / old wall ${(median(zero.wall) / median(old.wall)).toFixed(2)}x (target <= 0.5x, no child process)`,
      );
  }
} finally {
  for (const [agent, params] of started.reverse()) await runAgent(agent, 'stop', env(agent, params), join(TSHA, agent));
  await cloud.remove();
}
