// Benchmark, not a test: what a controller pays per hour to monitor the seed's control plane, tsha's
// agents against the old ones, every monitor at the seed's interval and depth, in one run against the
// same real services (Debian 12's OpenStack Zed set up by test/support/openstack.ts, a private MariaDB
// and a private RabbitMQ).
//
//   node bench/control-plane-cost.ts [--runs N] [--old DIR] [--mysql lab|standalone]
//
// The seed's monitors (issue 10 §4): MySQL master every 5 s and slave every 2 s at depth 1, keystone and
// glance-api every 15 s, nova-api every 5 s, the rest every 30 s (depth 0). The old agents: heartbeat/mysql,
// the rabbitmq-server package's agent, and the openstack-resource-agents shell agents from DIR (their ocf/
// folder, bench/openstack-old-agents.ts says how each runs here; not shipped). Each agent keeps its own
// meaning of a depth: heartbeat/mysql runs its test-table query at any depth above 0, tsha only at 10.
// The MySQL monitors are the seed's: a promotable clone's, on the promoted and the unpromoted instance of
// a live 2-node lab cluster (bench/ms-lab.ts), where each also reads the replication state and writes
// its promotion score; the lab is torn down before the OpenStack services start. `--mysql standalone`
// times them on a standalone server instead, as this bench did before (no role, no score).
//
// Per monitor: the median CPU (user + system of the agent and every child) and children of N runs
// (measure.mjs); per hour: 3600 / interval runs of it. Prints figures and exits 0.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { instanceLayout } from '../test/support/mariadb.ts';
import { openstackCloud } from '../test/support/openstack.ts';
import { pacemakerEnv } from '../test/support/pacemaker-env.ts';
import { brokerLayout } from '../test/support/rabbitmq.ts';
import { runAgent } from '../test/support/run-agent.ts';
import { measureAll, median } from './measure.mjs';
import { startMsLab } from './ms-lab.ts';
import { env, must, oldRows, startServices, TSHA, type Row } from './openstack-agents.ts';
import { PACKAGED_RABBITMQ, packagedRabbitmqEnv, sharedBrokerParams } from './rabbitmq-packaged.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    old: { type: 'string', default: process.env.TSHA_OLD_AGENTS ?? '' },
    mysql: { type: 'string', default: 'lab' },
  },
});
if (args.mysql !== 'lab' && args.mysql !== 'standalone') throw new Error(`--mysql lab|standalone, not ${args.mysql}`);
const mysqlInLab = args.mysql === 'lab';
const runs = Number(args.runs);
const oldDir = args.old;

/** One monitor of the seed: which controller runs it, how often, at which depth. */
interface SeedMonitor {
  readonly service: string;
  readonly controller: 'active' | 'passive';
  readonly intervalS: number;
  readonly depth: number;
  /** Not in the seed (Zed needs it): listed, left out of the totals. */
  readonly extra?: boolean;
}

const SEED: readonly SeedMonitor[] = [
  { service: 'mysql (master)', controller: 'active', intervalS: 5, depth: 1 },
  { service: 'mysql (slave)', controller: 'passive', intervalS: 2, depth: 1 },
  { service: 'rabbitmq', controller: 'active', intervalS: 30, depth: 0 },
  { service: 'keystone', controller: 'active', intervalS: 15, depth: 0 },
  { service: 'glance-api', controller: 'active', intervalS: 15, depth: 0 },
  { service: 'nova-api', controller: 'active', intervalS: 5, depth: 0 },
  { service: 'nova-scheduler', controller: 'active', intervalS: 30, depth: 0 },
  { service: 'nova-conductor', controller: 'active', intervalS: 30, depth: 0 },
  { service: 'nova-compute', controller: 'active', intervalS: 30, depth: 0 },
  { service: 'nova-novncproxy', controller: 'active', intervalS: 30, depth: 0 },
  { service: 'placement-api', controller: 'active', intervalS: 30, depth: 0, extra: true },
];

const withInterval = (e: Record<string, string>, m: SeedMonitor) => ({
  ...e,
  OCF_RESKEY_CRM_meta_interval: String(m.intervalS * 1000),
  OCF_CHECK_LEVEL: String(m.depth),
});

type Measured = Awaited<ReturnType<typeof measureAll<Row & { monitor: SeedMonitor; tsha: boolean }>>>;

/** The seed's two MySQL monitors, both agents, on the live lab's promoted and unpromoted instance. */
async function mysqlInLiveLab(): Promise<Measured> {
  console.log('bringing up a 2-node lab with the ms configuration for the MySQL monitors ...');
  const ms = await startMsLab('tshacost');
  try {
    const rows: (Row & { monitor: SeedMonitor; tsha: boolean })[] = [];
    for (const m of SEED.filter((m) => m.service.startsWith('mysql'))) {
      const node = m.service === 'mysql (master)' ? ms.primary : ms.replica;
      const prefix = ms.prefix(node);
      for (const provider of ['tsha', 'heartbeat'] as const) {
        rows.push({
          service: m.service,
          name: provider === 'tsha' ? 'tsha' : 'heartbeat/mysql',
          argv: [`/usr/lib/ocf/resource.d/${provider}/mysql`, 'monitor'],
          env: withInterval(ms.env(node, provider), m),
          prefix,
          monitor: m,
          tsha: provider === 'tsha',
        });
      }
    }
    return await measureAll(rows, runs, `/tmp/${ms.lab.prefix}-trace.txt`);
  } finally {
    await ms.release();
  }
}

const labResults = mysqlInLab ? await mysqlInLiveLab() : [];
const cloud = await openstackCloud();
const database = await instanceLayout();
const broker = await brokerLayout();
const started: [string, Record<string, string>][] = [];
const dbParams = { ...database.params, test_user: 'root', test_passwd: '', test_table: 'mysql.user' };
const brokerParams = sharedBrokerParams(broker);
try {
  await must('mysql', 'start', dbParams);
  started.push(['mysql', dbParams]);
  await must('rabbitmq', 'start', brokerParams);
  started.push(['rabbitmq', brokerParams]);
  const p = cloud.params;
  const services = await startServices(cloud, started);
  const paramsOf: Record<string, Record<string, string>> = {
    ...Object.fromEntries(services),
    'placement-api': p.placementApi,
    rabbitmq: brokerParams,
  };

  const old = oldRows(cloud, oldDir);
  const rows: (Row & { monitor: SeedMonitor; tsha: boolean })[] = [];
  for (const m of SEED) {
    const agent = m.service.startsWith('mysql') ? 'mysql' : m.service;
    if (agent === 'mysql' && mysqlInLab) continue;
    const params = agent === 'mysql' ? dbParams : paramsOf[agent]!;
    rows.push({
      service: m.service,
      name: 'tsha',
      argv: [join(TSHA, agent), 'monitor'],
      env: withInterval(env(agent, params), m),
      monitor: m,
      tsha: true,
    });
    if (agent === 'mysql') {
      const hb = pacemakerEnv(dbParams, {
        OCF_RESOURCE_TYPE: 'mysql',
        OCF_RESOURCE_INSTANCE: 'mysql',
        OCF_RESKEY_CRM_meta_timeout: '60000',
      });
      rows.push({
        service: m.service,
        name: 'heartbeat/mysql',
        argv: ['/usr/lib/ocf/resource.d/heartbeat/mysql', 'monitor'],
        env: withInterval({ ...hb, OCF_RESOURCE_PROVIDER: 'heartbeat' }, m),
        monitor: m,
        tsha: false,
      });
    } else if (agent === 'rabbitmq') {
      rows.push({
        service: m.service,
        name: 'rabbitmq-server (package)',
        argv: [PACKAGED_RABBITMQ, 'monitor'],
        env: withInterval(packagedRabbitmqEnv(broker, brokerParams, env('rabbitmq', brokerParams)), m),
        monitor: m,
        tsha: false,
      });
    } else {
      for (const o of old.filter((r) => r.service === agent))
        rows.push({ ...o, service: m.service, env: withInterval(o.env, m), monitor: m, tsha: false });
    }
  }
  const results = [...labResults, ...(await measureAll(rows, runs, join(cloud.dir, 'trace.txt')))];

  console.log(
    `\nThe seed's monitors per controller (${runs} runs each, medians; MySQL ${mysqlInLab ? 'as the promotable clone of a live 2-node lab' : 'on a standalone server'}; old OpenStack agents ${oldDir ? `from ${oldDir}` : 'not given (--old DIR)'})`,
  );
  console.log('monitor           every  depth  agent                       CPU ms  children  rc     CPU s/h  forks/h');
  type Sum = { tsha: number; old: number; tshaForks: number; oldForks: number; tshaAll: number };
  const sums: Record<string, Sum> = {
    active: { tsha: 0, old: 0, tshaForks: 0, oldForks: 0, tshaAll: 0 },
    passive: { tsha: 0, old: 0, tshaForks: 0, oldForks: 0, tshaAll: 0 },
  };
  let tshaMaxChildren = 0;
  for (const m of SEED) {
    const mine = results.filter((r) => r.monitor === m);
    const perHour = 3600 / m.intervalS;
    const cpu = (r: (typeof mine)[number]) => (median(r.cpu) * perHour) / 1000;
    const forks = (r: (typeof mine)[number]) => median(r.procs) * perHour;
    for (const r of mine) {
      console.log(
        `${m.service.padEnd(17)} ${`${m.intervalS} s`.padStart(5)} ${String(m.depth).padStart(6)}  ${r.name.padEnd(26)} ${median(r.cpu).toFixed(1).padStart(7)} ${String(median(r.procs)).padStart(9)}  ${[...r.rc].join('/').padEnd(5)} ${cpu(r).toFixed(1).padStart(8)} ${forks(r).toFixed(0).padStart(8)}`,
      );
      if (r.tsha) tshaMaxChildren = Math.max(tshaMaxChildren, ...r.procs);
    }
    const t = mine.find((r) => r.tsha)!;
    const o = mine.find((r) => !r.tsha);
    const s = sums[m.controller]!;
    if (!m.extra) s.tshaAll += cpu(t);
    // The comparison counts a monitor only where both agents ran it.
    if (o && !m.extra) {
      s.tsha += cpu(t);
      s.old += cpu(o);
      s.tshaForks += forks(t);
      s.oldForks += forks(o);
    }
  }
  console.log('');
  for (const [controller, s] of Object.entries(sums)) {
    console.log(
      `${controller} controller: tsha ${s.tsha.toFixed(1)} CPU s/h, old agents ${s.old.toFixed(1)} CPU s/h (${(s.tsha / s.old).toFixed(2)}x; ` +
        `monitors both ran), tsha over every seed monitor ${s.tshaAll.toFixed(1)} CPU s/h; forks per hour tsha ${s.tshaForks.toFixed(0)}, old ${s.oldForks.toFixed(0)}`,
    );
  }
  const active = sums.active!;
  console.log('\ntargets (issue 10 §4):');
  console.log(
    `  ${active.tsha <= 0.6 * active.old ? 'met   ' : 'MISSED'}  active controller CPU <= 0.6x the old agents'   ${(active.tsha / active.old).toFixed(2)}x`,
  );
  console.log(
    `  ${tshaMaxChildren === 0 ? 'met   ' : 'MISSED'}  0 processes forked per steady-state tsha monitor   max ${tshaMaxChildren}`,
  );
} finally {
  for (const [agent, params] of started.reverse()) await runAgent(agent, 'stop', env(agent, params), join(TSHA, agent));
  broker.remove();
  database.remove();
  await cloud.remove();
}
