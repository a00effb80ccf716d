// How the benchmarks measure one agent run (see the comment at the top of monitor.mjs):
// wall, CPU and peak RSS from a python3 launcher that posix_spawns the agent and wait4s it; child
// processes from a separate run under strace. `prefix` runs either inside something else (for the
// lab: nsenter into a node's namespaces).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';
export const STRACE = '/usr/bin/strace';

export class SetupError extends Error {}

// The launcher: posix_spawn the agent, wait4 it, report wall/CPU/RSS on fd 3 (closed in the agent).
const LAUNCHER = `
import os, sys, time
argv = sys.argv[1:]
t0 = time.monotonic_ns()
pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_CLOSE, 3)])
_, status, ru = os.wait4(pid, 0)
t1 = time.monotonic_ns()
os.write(3, ('%d %d %.6f %.6f %d' % (os.waitstatus_to_exitcode(status), t1 - t0, ru.ru_utime, ru.ru_stime, ru.ru_maxrss)).encode())
`;

function collect(child, extraFd) {
  return new Promise((resolveRun, reject) => {
    const out = { stdout: '', stderr: '', extra: '' };
    child.stdout.on('data', (d) => (out.stdout += d));
    child.stderr.on('data', (d) => (out.stderr += d));
    if (extraFd) child.stdio[3].on('data', (d) => (out.extra += d));
    child.once('error', reject);
    child.once('close', (code, signal) => resolveRun({ ...out, code, signal }));
  });
}

/** One timed run: { rc, wallMs, cpuMs, rssMiB, output }. */
export async function timedRun(agent, env, prefix = []) {
  const argv = [...prefix, PYTHON, '-I', '-S', '-c', LAUNCHER, ...agent.argv];
  const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const r = await collect(child, true);
  const fields = r.extra.trim().split(' ');
  if (r.code !== 0 || fields.length !== 5) {
    throw new SetupError(`the launcher failed for ${agent.argv.join(' ')} (exit ${r.code ?? r.signal}):\n${r.stderr.slice(-1500)}`);
  }
  const [rc, wallNs, user, sys, maxrssKiB] = fields.map(Number);
  return {
    rc,
    wallMs: wallNs / 1e6,
    cpuMs: (user + sys) * 1e3,
    rssMiB: maxrssKiB / 1024,
    output: `${r.stdout}${r.stderr}`.trim(),
  };
}

/** One counting run under strace: processes the agent's tree forked (threads excluded). */
export async function countRun(agent, env, traceFile, prefix = []) {
  const argv = [
    ...prefix,
    STRACE,
    '-f',
    '-qq',
    '--seccomp-bpf',
    '-e',
    'trace=clone,clone3,fork,vfork',
    '-e',
    'signal=none',
    '-o',
    traceFile,
    '--',
    ...agent.argv,
  ];
  const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const r = await collect(child, false);
  // 0, or 8 for a monitor of a promoted instance: both mean the agent ran as it should.
  if (r.code !== 0 && r.code !== 8)
    throw new SetupError(`${agent.name} under strace exited ${r.code ?? r.signal}:\n${(r.stdout + r.stderr).slice(-1500)}`);
  let processes = 0;
  for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
    // "PID clone3({flags=...}, 88) = N", or "PID clone(... <unfinished ...>" then "PID <... clone resumed> ..."
    if (!/^\d+\s+(clone3?|v?fork)\(/.test(line)) continue;
    if (line.includes('CLONE_THREAD')) continue;
    if (/\)\s+= -1 /.test(line)) continue; // a failed fork made nothing
    processes++;
  }
  rmSync(traceFile, { force: true });
  return processes;
}

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Each agent timed `runs` times (the agents interleaved, so drift hits all alike) and its children
 * counted `countRuns` times: the samples, for medians. An agent's `prefix` (a lab node's nsenter) runs it
 * inside that node.
 */
export async function measureAll(agents, runs, traceFile, countRuns = 3) {
  const results = agents.map((a) => ({ ...a, wall: [], cpu: [], rss: [], rc: new Set(), procs: [] }));
  for (let i = 0; i < runs; i++) {
    for (const r of results) {
      const t = await timedRun(r, r.env, r.prefix);
      r.wall.push(t.wallMs);
      r.cpu.push(t.cpuMs);
      r.rss.push(t.rssMiB);
      r.rc.add(t.rc);
    }
  }
  for (const r of results) for (let i = 0; i < countRuns; i++) r.procs.push(await countRun(r, r.env, traceFile, r.prefix));
  return results;
}
