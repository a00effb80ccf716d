// Benchmark, not a test: what one monitor of a RabbitMQ broker costs with ocf:tsha:rabbitmq (depth 0
// and 10) and with the agent the rabbitmq-server package ships (ocf:rabbitmq:rabbitmq-server, whose
// monitor runs `rabbitmqctl status`), against the same private broker.
//
//   node bench/rabbitmq-monitor.ts [--runs N]
//
// Measured as bench/monitor.mjs does (measure.mjs). The broker uses the standard epmd port (4369),
// which the packaged agent's rabbitmqctl wrapper needs. Prints figures and exits 0.
import { parseArgs } from 'node:util';
import { brokerLayout } from '../test/support/rabbitmq.ts';
import { pacemakerEnv } from '../test/support/pacemaker-env.ts';
import { runAgent } from '../test/support/run-agent.ts';
import { measureAll, median } from './measure.mjs';
import { PACKAGED_RABBITMQ, packagedRabbitmqEnv, sharedBrokerParams } from './rabbitmq-packaged.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(args.runs);
const layout = await brokerLayout();
const params = sharedBrokerParams(layout);
const base = pacemakerEnv(params, {
  OCF_RESOURCE_TYPE: 'rabbitmq',
  OCF_RESKEY_CRM_meta_interval: '20000',
  OCF_RESKEY_CRM_meta_timeout: '120000',
});
const tsha = '/usr/lib/ocf/resource.d/tsha/rabbitmq';
try {
  const started = await runAgent('rabbitmq', 'start', base, tsha);
  if (started.exitCode !== 0) throw new Error(`start failed: ${started.stderr}`);
  const agents = [
    { name: 'tsha depth 0', argv: [tsha, 'monitor'], env: base },
    { name: 'tsha depth 10', argv: [tsha, 'monitor'], env: { ...base, OCF_CHECK_LEVEL: '10' } },
    { name: 'rabbitmq-server (package)', argv: [PACKAGED_RABBITMQ, 'monitor'], env: packagedRabbitmqEnv(layout, params, base) },
  ];
  const rows = await measureAll(agents, runs, `${layout.dir}/trace.txt`, 5);
  console.log(`\nRabbitMQ broker monitor (${runs} runs each, medians)`);
  console.log('agent                        wall ms   CPU ms  children  peak RSS MiB');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(27)} ${median(r.wall).toFixed(1).padStart(8)} ${median(r.cpu).toFixed(1).padStart(8)} ${String(median(r.procs)).padStart(9)} ${median(r.rss).toFixed(1).padStart(12)}   rc ${[...r.rc].join('/')}`,
    );
  }
  const old = median(rows[2]!.wall);
  console.log(
    `\ntsha/package wall: depth 0 ${(median(rows[0]!.wall) / old).toFixed(2)}x, depth 10 ${(median(rows[1]!.wall) / old).toFixed(2)}x (target <= 0.5x, no child process)`,
  );
} finally {
  await runAgent('rabbitmq', 'stop', base, tsha);
  layout.remove();
}
