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
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openstackCloud, type OpenStackCloud } from '../test/support/openstack.ts';
import { pacemakerEnv } from '../test/support/pacemaker-env.ts';
import { runAgent } from '../test/support/run-agent.ts';
import { measureAll, median } from './measure.mjs';

const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, old: { type: 'string', default: process.env.TSHA_OLD_AGENTS ?? '' } },
});
const runs = Number(args.runs);
const oldDir = args.old;
const TSHA = '/usr/lib/ocf/resource.d/tsha';

interface Row {
  readonly service: string;
  readonly name: string;
  readonly argv: readonly string[];
  readonly env: Record<string, string>;
}

function env(agent: string, params: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return pacemakerEnv(params, {
    OCF_RESOURCE_TYPE: agent,
    OCF_RESOURCE_INSTANCE: agent,
    OCF_RESKEY_CRM_meta_interval: '10000',
    OCF_RESKEY_CRM_meta_timeout: '60000',
    ...extra,
  });
}

async function must(agent: string, action: string, params: Record<string, string>): Promise<void> {
  const r = await runAgent(agent, action, env(agent, params), join(TSHA, agent));
  if (r.exitCode !== 0) throw new Error(`${agent} ${action} failed (${r.exitCode}): ${r.stderr.slice(-800)}`);
}

/** The old agent's parameters for the same running service: same pid file, its own names for the rest. */
function oldRows(cloud: OpenStackCloud): Row[] {
  if (!oldDir) return [];
  const p = cloud.params;
  const old = (file: string) => join(oldDir, file);
  const rows: Row[] = [];
  const add = (service: string, file: string, params: Record<string, string>) => {
    if (existsSync(old(file))) rows.push({ service, name: `old ${file}`, argv: [old(file), 'monitor'], env: env(file, params) });
  };
  const firstConfig = (c: string) => c.split(' ')[0]!;
  add('keystone', 'keystone', {
    binary: p.keystone.binary,
    config: p.keystone.config,
    user: 'keystone',
    pid: p.keystone.pid,
    client_binary: '/bin/true',
  });
  add('glance-api', 'glance-api', {
    binary: p.glanceApi.binary,
    config: p.glanceApi.config,
    user: 'glance',
    pid: p.glanceApi.pid,
    client_binary: '/bin/true',
  });
  add('nova-api', 'nova-api', {
    binary: p.novaApi.binary,
    config: firstConfig(p.novaApi.config),
    user: 'nova',
    pid: p.novaApi.pid,
    url: p.novaApi.url,
    keystone_get_token_url: `http://127.0.0.1:${cloud.ports.keystone}/v2.0/tokens`,
    os_username: p.novaApi.os_username,
    os_password: p.novaApi.os_password,
    os_tenant_name: 'service',
  });
  const amqpPort = new URL(cloud.transportUrl.replace(/^rabbit:/, 'http:')).port;
  for (const [service, params] of [
    ['nova-scheduler', p.novaScheduler],
    ['nova-conductor', p.novaConductor],
  ] as const) {
    add(service, 'nova-network', {
      binary: params.binary,
      config: firstConfig(params.config),
      user: 'nova',
      pid: params.pid,
      database_server_port: String(cloud.database.port),
      amqp_server_port: amqpPort,
    });
  }
  add('nova-novncproxy', 'nova-novnc', {
    binary: p.novaNovncproxy.binary,
    config: firstConfig(p.novaNovncproxy.config),
    user: 'nova',
    pid: p.novaNovncproxy.pid,
    console_port: String(cloud.ports.novnc),
  });
  return rows;
}

const cloud = await openstackCloud();
const p = cloud.params;
const started: [string, Record<string, string>][] = [];
try {
  const order: [string, Record<string, string>][] = [
    ['keystone', p.keystone],
    ['glance-api', p.glanceApi],
    ['nova-conductor', p.novaConductor],
    ['nova-scheduler', p.novaScheduler],
    ['nova-compute', p.novaCompute],
    ['nova-api', p.novaApi],
    ['nova-novncproxy', p.novaNovncproxy],
  ];
  for (const [agent, params] of order) {
    await must(agent, 'start', params);
    started.push([agent, params]);
    if (agent === 'keystone') await Promise.all([cloud.registerCatalog(), cloud.startPlacement()]);
  }
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
  rows.push(...oldRows(cloud));
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
