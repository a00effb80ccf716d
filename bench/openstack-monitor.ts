// Benchmark, not a test: what one monitor of each OpenStack service costs with tsha's agents (depth 0
// and 10) and with the old openstack-resource-agents shell agents, against the same real services
// (Debian 12's OpenStack Zed, set up by test/support/openstack.ts).
//
//   node bench/openstack-monitor.ts [--runs N] [--old DIR]
//
// DIR holds the old agents (ocf/ of openstack/openstack-resource-agents, last code commit 42bb0c5); they
// are not part of tsha and are not shipped: without --old (or $TSHA_OLD_AGENTS) only tsha is measured.
// The old agents run here as far as they can: their keystone and glance-api monitors are pid-only here
// (no `keystone`/`glance` CLI exists, and glance-api's API check is dead code since 2016); nova-api curls a
// Keystone v2.0 token URL that Zed no longer has, then the API; the RPC monitor greps `netstat -punt` for
// the pid's database and AMQP connections — measured with the nova-network agent, because nova-scheduler's
// copy refuses any port that is not four digits long (exit 6) and the lab's ports have five.
// Measured as bench/monitor.mjs does (measure.mjs). Prints figures and exits 0.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openstackCloud } from '../test/support/openstack.ts';
import { runAgent } from '../test/support/run-agent.ts';
import { measureAll, median } from './measure.mjs';
import { env, oldRows, startServices, TSHA, type Row } from './openstack-agents.ts';

const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, old: { type: 'string', default: process.env.TSHA_OLD_AGENTS ?? '' } },
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
    if (agent !== 'nova-novncproxy')
      rows.push({
        service: agent,
        name: 'tsha depth 10',
        argv: [join(TSHA, agent), 'monitor'],
        env: env(agent, params, { OCF_CHECK_LEVEL: '10' }),
      });
  }
  rows.push(...oldRows(cloud, oldDir));
  const results = await measureAll(rows, runs, join(cloud.dir, 'trace.txt'));
  console.log(
    `\nOpenStack service monitors (${runs} runs each, medians; old agents ${oldDir ? `from ${oldDir}` : 'not given (--old DIR)'})`,
  );
  console.log('service          agent                  wall ms   CPU ms  children  peak RSS MiB');
  for (const service of order.map(([a]) => a)) {
    const mine = results.filter((r) => r.service === service);
    for (const r of mine) {
      console.log(
        `${service.padEnd(16)} ${r.name.padEnd(20)} ${median(r.wall).toFixed(1).padStart(8)} ${median(r.cpu).toFixed(1).padStart(8)} ${String(median(r.procs)).padStart(9)} ${median(r.rss).toFixed(1).padStart(12)}   rc ${[...r.rc].join('/')}`,
      );
    }
    const old = mine.find((r) => r.name.startsWith('old'));
    const zero = mine.find((r) => r.name === 'tsha depth 0')!;
    if (old)
      console.log(
        `${''.padEnd(16)} tsha depth 0 / old wall ${(median(zero.wall) / median(old.wall)).toFixed(2)}x (target <= 0.5x, no child process)`,
      );
  }
} finally {
  for (const [agent, params] of started.reverse()) await runAgent(agent, 'stop', env(agent, params), join(TSHA, agent));
  await cloud.remove();
}
