#!/usr/bin/env node
// Benchmark, not a test: what one `monitor` costs with tsha's mysql agent and with resource-agents'
// heartbeat/mysql, against the same private MariaDB server, at depth 0 and at OCF_CHECK_LEVEL=10.
//
//   node bench/monitor.mjs [--runs N] [--agent PATH]
//
// It prints figures and exits 0 whether or not the targets are met; it exits non-zero only when it
// cannot set up (no server, an agent that does not return 0, a missing tool).
//
// How it measures (each figure per run, then the median over N runs):
//
// * Wall, CPU and peak RSS come from one run of the agent under a tiny launcher, /usr/bin/python3 -c
//   (python3 is a dependency of resource-agents, so it is there wherever heartbeat/mysql is). The
//   launcher starts the agent with posix_spawn and waits for it with wait4(): wall is a monotonic clock
//   (ns) read just before the spawn and just after wait4 returns, so the launcher's own start-up is
//   outside it; CPU is ru_utime + ru_stime and peak RSS is ru_maxrss of that wait4, which the kernel
//   fills for the agent together with every descendant it reaped (µs and KiB resolution, unlike
//   /usr/bin/time, whose %U/%S/%e are rounded to 10 ms). The launcher is blocked in wait4 while the
//   agent runs, so it adds no load. Peak RSS is the largest single process of the tree (the agent or
//   one of its children), as ru_maxrss defines it.
// * Child processes come from a separate counting pass after the timed runs, so its overhead never
//   touches a timing: the agent runs under `strace -f --seccomp-bpf -e trace=clone,clone3,fork,vfork`
//   and every fork/vfork/clone of the tree without CLONE_THREAD is counted (the agent itself is forked
//   by strace, untraced, so it is not counted). Counting through /proc/stat's "processes" would be
//   wrong here: that counter also counts threads, and Node starts about ten of its own.
//
// The two agents alternate run by run (tsha, heartbeat, tsha, ...) so that any drift of the machine
// (other load, the server's caches) falls on both alike. One untimed run of each agent per depth
// first checks that it returns 0 and warms caches.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countRun, median, PYTHON, SetupError, STRACE, timedRun } from './measure.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TSHA_NODE = '/usr/lib/tsha/node/bin/node';
const HEARTBEAT = '/usr/lib/ocf/resource.d/heartbeat/mysql';
const MARIADBD = '/usr/sbin/mariadbd';

// ---------------------------------------------------------------------------------------------------
// Arguments

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    agent: { type: 'string' },
    baseline: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(
    'usage: node bench/monitor.mjs [--runs N] [--agent PATH] [--baseline PATH]\n' +
      `  --runs N         timed runs per agent and depth (default 30)\n` +
      `  --agent PATH     tsha's mysql agent (default build/out/mysql; e.g. /usr/lib/ocf/resource.d/tsha/mysql)\n` +
      `  --baseline PATH  another build of it (say, the previous commit's, behind the same launcher), timed in the same rounds`,
  );
  process.exit(0);
}
const RUNS = Number(args.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(`--runs wants a positive integer, not ${args.runs}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------
// Clean-up of the private server, whatever happens

let server; // { child, dir }
let cleaned = false;
let stopping; // the one stopServer() in progress
let interrupted; // the exit status a signal asked for

const alive = (child) => child !== undefined && child.exitCode === null && child.signalCode === null;

/** Kills the server, waits until it is reaped (no zombie left behind), removes its directory. */
function stopServer() {
  stopping ??= stopServerOnce();
  return stopping;
}

async function stopServerOnce() {
  if (cleaned || !server) return;
  const { child } = server;
  if (alive(child)) {
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    let timer;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
  }
  cleanupSync();
}

/** Last resort on exit (synchronous: no waiting for the kill to land). */
function cleanupSync() {
  if (cleaned || !server) return;
  cleaned = true;
  try {
    if (alive(server.child)) process.kill(server.child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  // A killed server may still be closing files for a moment: retry the removal.
  rmSync(server.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

process.on('exit', cleanupSync);
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    if (interrupted !== undefined) return;
    interrupted = code;
    console.error(`\n${signal}: stopping the server and removing its directory`);
    stopServer().finally(() => process.exit(code));
  });
}

// ---------------------------------------------------------------------------------------------------
// Helpers

function need(path, what) {
  if (!existsSync(path)) throw new SetupError(`${path} is missing: ${what}`);
}

function run(file, argv, options = {}) {
  try {
    return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  } catch (error) {
    const out = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    throw new SetupError(`${file} ${argv.join(' ')} failed: ${error.message.split('\n')[0]}${out ? `\n${out.slice(-1500)}` : ''}`);
  }
}

function account(name) {
  const line = run('getent', ['passwd', name]).trim();
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function canConnect(path) {
  return new Promise((resolveConnect) => {
    const socket = createConnection({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolveConnect(true);
    });
    socket.once('error', () => resolveConnect(false));
  });
}

// ---------------------------------------------------------------------------------------------------
// The private server

async function startServer() {
  need(MARIADBD, 'install mariadb-server');
  const mysql = account('mysql');
  const dir = mkdtempSync(join(tmpdir(), 'tsha-bench-'));
  server = { child: undefined, dir };
  chmodSync(dir, 0o755);
  const datadir = join(dir, 'data');
  const runDir = join(dir, 'run'); // socket and pid file: the server, running as mysql, writes there
  const config = join(dir, 'my.cnf');
  const log = join(dir, 'mysqld.log');
  const socket = join(runDir, 'mysqld.sock');
  const pid = join(runDir, 'mysqld.pid');

  run(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${datadir}`, '--user=mysql', '--auth-root-authentication-method=socket', '--skip-test-db'],
    { timeout: 180_000 },
  );
  mkdirSync(runDir, { mode: 0o755 });
  chownSync(runDir, mysql.uid, mysql.gid);
  writeFileSync(config, '[mysqld]\nskip-networking\ninnodb_buffer_pool_size=16M\nperformance_schema=OFF\n');
  writeFileSync(log, '', { mode: 0o640 });
  chownSync(log, mysql.uid, mysql.gid);

  const child = spawn(
    MARIADBD,
    [`--defaults-file=${config}`, `--datadir=${datadir}`, `--socket=${socket}`, `--pid-file=${pid}`, `--log-error=${log}`],
    { uid: mysql.uid, gid: mysql.gid, detached: true, stdio: 'ignore' },
  );
  let spawnError;
  child.once('error', (error) => (spawnError = error));
  child.unref();
  server.child = child;
  const until = Date.now() + 60_000;
  while (!(existsSync(socket) && existsSync(pid) && (await canConnect(socket)))) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null || Date.now() > until) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-1500) : '';
      throw new SetupError(`mariadbd did not come up on ${socket}${spawnError ? `: ${spawnError.message}` : ''}\n${tail}`);
    }
    await sleep(100);
  }
  return { dir, datadir, config, log, socket, pid };
}

// ---------------------------------------------------------------------------------------------------
// Running an agent

// ---------------------------------------------------------------------------------------------------
// Main

async function main() {
  for (const [path, what] of [
    [HEARTBEAT, 'install resource-agents'],
    [PYTHON, 'install python3 (resource-agents depends on it)'],
    [STRACE, 'install strace (used to count child processes)'],
  ])
    need(path, what);

  // tsha's agent, and how it is started.
  const agentPath = args.agent ? resolve(args.agent) : join(ROOT, 'build/out/mysql');
  if (!args.agent && !existsSync(agentPath)) {
    console.log('build/out/mysql is missing: building it (node build/bundle.mjs)');
    need(TSHA_NODE, "install tsha's Node runtime");
    run(TSHA_NODE, [join(ROOT, 'build/bundle.mjs')], { cwd: ROOT, timeout: 300_000 });
  }
  need(agentPath, 'build it with `node build/bundle.mjs`, or give --agent PATH');
  /** How an agent file is started: directly when its shebang names a Node, else with tsha's Node. */
  const startOf = (path) => {
    const shebang = readFileSync(path, 'utf8').split('\n', 1)[0];
    if (/^#!\s*\/usr\/bin\/env\s+node\s*$/.test(shebang)) {
      need(TSHA_NODE, "install tsha's Node runtime");
      return {
        argv: [TSHA_NODE, path, 'monitor'],
        node: TSHA_NODE,
        note: `shebang is "${shebang}": started explicitly as [${TSHA_NODE}, agent, monitor], not through PATH`,
      };
    }
    const interpreter = shebang.match(/^#!\s*(\S+)/)?.[1];
    return {
      argv: [path, 'monitor'],
      node: interpreter && /node$/.test(interpreter) ? interpreter : undefined,
      note: `shebang is "${shebang}": started directly`,
    };
  };
  const { argv: tshaArgv, node: nodeUsed, note: nodeNote } = startOf(agentPath);
  const nodeVersion = nodeUsed ? run(nodeUsed, ['--version']).trim() : 'unknown (not a Node shebang)';

  const agents = [
    { name: 'tsha', provider: 'tsha', argv: tshaArgv },
    { name: 'heartbeat', provider: 'heartbeat', argv: [HEARTBEAT, 'monitor'] },
  ];
  if (args.baseline) {
    need(resolve(args.baseline), 'give --baseline the path of another build of the agent');
    agents.push({ name: 'baseline', provider: 'tsha', argv: startOf(resolve(args.baseline)).argv });
  }
  // The runtime's own floor (issue 10 §3): the same Node doing nothing, timed in the same rounds.
  const floor = { name: 'node -e 0', provider: 'none', argv: [nodeUsed ?? TSHA_NODE, '-e', '0'] };
  // The floor of a depth-0 check's I/O for any Node program: load node:net, connect to the server's
  // socket, read its greeting. What tsha costs above it is its own work (parameters, the pid, /proc).
  const greets = {
    name: 'node greets',
    provider: 'none',
    argv: [
      nodeUsed ?? TSHA_NODE,
      '-e',
      "const s = require('node:net').connect(process.env.OCF_RESKEY_socket); s.once('data', () => s.destroy()); s.once('error', () => process.exit(1));",
    ],
  };
  const floors = [floor, greets];

  console.log(`starting a private MariaDB server (${MARIADBD}) ...`);
  const db = await startServer();
  const baseEnv = {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    OCF_ROOT: '/usr/lib/ocf',
    OCF_RA_VERSION_MAJOR: '1',
    OCF_RA_VERSION_MINOR: '1',
    OCF_RESOURCE_INSTANCE: 'bench',
    OCF_RESOURCE_TYPE: 'mysql',
    OCF_EXIT_REASON_PREFIX: 'ocf-exit-reason:',
    OCF_RESKEY_CRM_meta_interval: '20000',
    OCF_RESKEY_CRM_meta_timeout: '20000',
    OCF_RESKEY_binary: MARIADBD, // heartbeat validates that it exists; tsha's monitor does not use it
    OCF_RESKEY_config: db.config,
    OCF_RESKEY_datadir: db.datadir,
    OCF_RESKEY_pid: db.pid,
    OCF_RESKEY_socket: db.socket,
    OCF_RESKEY_user: 'mysql',
    OCF_RESKEY_group: 'mysql',
    OCF_RESKEY_log: db.log,
    OCF_RESKEY_test_user: 'root',
    OCF_RESKEY_test_passwd: '',
    OCF_RESKEY_test_table: 'mysql.user',
  };
  const envFor = (agent, depth) => ({ ...baseEnv, OCF_RESOURCE_PROVIDER: agent.provider, OCF_CHECK_LEVEL: String(depth) });

  const depths = [0, 10];
  // Check (and warm up): every agent must say 0 at every depth.
  for (const depth of depths) {
    for (const agent of agents) {
      const r = await timedRun(agent, envFor(agent, depth));
      if (r.rc !== 0) {
        throw new SetupError(
          `${agent.name} monitor at depth ${depth} returned ${r.rc}, not 0: fix the set-up first\n` +
            `  ${agent.argv.join(' ')}\n${
              r.output
                ? r.output
                    .split('\n')
                    .map((l) => `  | ${l}`)
                    .join('\n')
                : '  (no output)'
            }`,
        );
      }
    }
  }
  console.log(`both agents return 0 at depths ${depths.join(' and ')}; ${RUNS} timed runs each, interleaved ...`);

  const results = {}; // results[depth][agent] = { wall: [], cpu: [], rss: [], procs: [], failed: 0 }
  for (const depth of depths) {
    results[depth] = Object.fromEntries([...agents, ...floors].map((a) => [a.name, { wall: [], cpu: [], rss: [], procs: [], failed: 0 }]));
    for (let i = 0; i < RUNS; i++) {
      for (const agent of [...agents, ...floors]) {
        const r = await timedRun(agent, envFor(agent, depth));
        const slot = results[depth][agent.name];
        if (r.rc !== 0) slot.failed++;
        slot.wall.push(r.wallMs);
        slot.cpu.push(r.cpuMs);
        slot.rss.push(r.rssMiB);
      }
    }
  }
  console.log(`counting child processes (${RUNS} runs each under strace, untimed) ...`);
  for (const depth of depths) {
    for (let i = 0; i < RUNS; i++) {
      for (const agent of agents) {
        results[depth][agent.name].procs.push(await countRun(agent, envFor(agent, depth), join(db.dir, 'trace.txt')));
      }
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Report
  const f = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
  const pad = (s, n) => String(s).padStart(n);
  const padEnd = (s, n) => String(s).padEnd(n);
  const ratio = (a, b) => a / b;

  console.log('');
  console.log(`tsha agent:      ${agentPath}`);
  console.log(`  Node:          ${nodeVersion} (${nodeUsed ?? 'n/a'}); ${nodeNote}`);
  console.log(`heartbeat agent: ${HEARTBEAT}`);
  console.log(`server:          ${run(MARIADBD, ['--version']).trim()}`);
  console.log(
    `runs:            ${RUNS} per agent and depth (medians below); machine: ${cpus().length} CPUs, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  console.log('');
  console.log(
    `${padEnd('depth', 6)}${padEnd('agent', 12)}${pad('wall ms', 9)}${pad('CPU ms', 9)}${pad('children', 10)}${pad('peak RSS MiB', 14)}`,
  );
  const med = {};
  for (const depth of depths) {
    med[depth] = {};
    for (const agent of agents) {
      const s = results[depth][agent.name];
      const m = { wall: median(s.wall), cpu: median(s.cpu), procs: median(s.procs), rss: median(s.rss) };
      med[depth][agent.name] = m;
      console.log(
        `${padEnd(depth, 6)}${padEnd(agent.name, 12)}${pad(f(m.wall), 9)}${pad(f(m.cpu), 9)}${pad(Number.isInteger(m.procs) ? m.procs : f(m.procs), 10)}${pad(f(m.rss), 14)}` +
          (s.failed ? `   (${s.failed} of ${RUNS} runs did not return 0)` : ''),
      );
    }
    const t = med[depth].tsha;
    const h = med[depth].heartbeat;
    const n = { wall: median(results[depth][floor.name].wall), cpu: median(results[depth][floor.name].cpu) };
    med[depth].floor = n;
    console.log(`${padEnd(depth, 6)}${padEnd('node -e 0', 12)}${pad(f(n.wall), 9)}${pad(f(n.cpu), 9)}`);
    const g = { wall: median(results[depth][greets.name].wall), cpu: median(results[depth][greets.name].cpu) };
    med[depth].greets = g;
    console.log(`${padEnd(depth, 6)}${padEnd('node greets', 12)}${pad(f(g.wall), 9)}${pad(f(g.cpu), 9)}`);
    console.log(
      `${padEnd('', 6)}${padEnd('tsha/hb', 12)}${pad(`${f(ratio(t.wall, h.wall), 2)}x`, 9)}${pad(`${f(ratio(t.cpu, h.cpu), 2)}x`, 9)}`,
    );
    console.log(`${padEnd('', 6)}${padEnd('tsha-node', 12)}${pad(`+${f(t.wall - n.wall)}`, 9)}${pad(`+${f(t.cpu - n.cpu)}`, 9)}`);
    console.log(`${padEnd('', 6)}${padEnd('greets-node', 12)}${pad(`+${f(g.wall - n.wall)}`, 9)}${pad(`+${f(g.cpu - n.cpu)}`, 9)}`);
    console.log(`${padEnd('', 6)}${padEnd('tsha-greets', 12)}${pad(`+${f(t.wall - g.wall)}`, 9)}${pad(`+${f(t.cpu - g.cpu)}`, 9)}`);
    if (med[depth].baseline) {
      const b = med[depth].baseline;
      console.log(`${padEnd('', 6)}${padEnd('baseline-node', 12)}${pad(`+${f(b.wall - n.wall)}`, 9)}${pad(`+${f(b.cpu - n.cpu)}`, 9)}`);
    }
  }

  const tshaMaxProcs = Math.max(...depths.flatMap((d) => results[d].tsha.procs));
  const tshaMaxRss = Math.max(...depths.flatMap((d) => results[d].tsha.rss));
  const targets = [
    ['depth 0 wall <= 1.0x heartbeat', ratio(med[0].tsha.wall, med[0].heartbeat.wall), 1.0, (v) => `${f(v, 2)}x`],
    ['depth 10 wall <= 0.6x heartbeat', ratio(med[10].tsha.wall, med[10].heartbeat.wall), 0.6, (v) => `${f(v, 2)}x`],
    ['depth 10 CPU <= 0.6x heartbeat', ratio(med[10].tsha.cpu, med[10].heartbeat.cpu), 0.6, (v) => `${f(v, 2)}x`],
    ['depth 0 wall <= node -e 0 + 6 ms (issue 10)', med[0].tsha.wall - med[0].floor.wall, 6, (v) => `+${f(v)} ms`],
    ['depth 10 wall <= node -e 0 + 22 ms (issue 10)', med[10].tsha.wall - med[10].floor.wall, 22, (v) => `+${f(v)} ms`],
    ['tsha child processes per monitor = 0 (max of all runs)', tshaMaxProcs, 0, (v) => `${v}`],
    ['tsha peak RSS <= 60 MiB (max of all runs)', tshaMaxRss, 60, (v) => `${f(v)} MiB`],
  ];
  console.log('');
  console.log(
    `floor: a Node program that only connects and reads the greeting costs +${f(med[0].greets.wall - med[0].floor.wall)} ms wall ` +
      `over node -e 0 (depth 0), so the depth-0 target of +6 ms is ${med[0].greets.wall - med[0].floor.wall > 6 ? 'below' : 'above'} that floor; ` +
      `tsha's own work above it: +${f(med[0].tsha.wall - med[0].greets.wall)} ms at depth 0, +${f(med[10].tsha.wall - med[10].greets.wall)} ms at depth 10`,
  );
  console.log('');
  console.log('targets:');
  for (const [label, value, limit, show] of targets) {
    console.log(`  ${value <= limit ? 'met   ' : 'MISSED'}  ${padEnd(label, 56)} ${show(value)}`);
  }
}

let status = 0;
try {
  await main();
} catch (error) {
  if (interrupted !== undefined) {
    // what failed was cut short by the signal: say nothing more
    await stopServer();
    process.exit(interrupted);
  }
  console.error(error instanceof SetupError ? `setup error: ${error.message}` : error);
  status = 1;
}
await stopServer();
process.exit(status);
