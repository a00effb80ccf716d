// Benchmark, not a test: what an agent costs above the runtime's own start-up, for every agent, as
// installed (the launcher with its code cache per action, build/launcher.ts) and as one self-contained
// bundle (build/out/<agent>, no code cache), side by side with `node -e 0` in one run.
//
//   node bench/startup.ts [--runs N] [--action meta-data] [--baseline DIR] [--agents a,b]
//
// --baseline DIR: another build's bundles (say, the previous commit's build/out), each behind the same
// launcher as the installed agent, timed in the same rounds as a fourth variant.
//
// meta-data needs no server, so every agent is measured the same way. The three variants alternate
// run by run (node, bundle, installed, node, ...) so that load on the machine falls on all alike; wall
// and CPU per run come from measure.mjs's wait4 launcher; medians are printed, then the overhead above
// `node -e 0`. The installed agents' cache goes to a private folder (TSHA_CACHE_DIR), warmed by one
// untimed run; needs root (the launcher uses the cache only as root).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILT, INSTALLED } from '../test/support/paths.ts';
import { baselineLauncher } from './baseline.ts';
import { median, timedRun, type TimedRun } from './measure.mjs';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    action: { type: 'string', default: 'meta-data' },
    baseline: { type: 'string' },
    agents: { type: 'string' }, // a comma-separated subset, for more runs in the same time
  },
});
const runs = Number(args.runs);
const action = args.action!;
const cache = mkdtempSync(join(tmpdir(), 'tsha-bench-cache-'));
const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', TSHA_CACHE_DIR: cache, OCF_ROOT: '/usr/lib/ocf' };
const node = { argv: [process.execPath, '-e', '0'] };

type Figures = { wall: number[]; cpu: number[] };
const empty = (): Figures => ({ wall: [], cpu: [] });
const add = (f: Figures, r: TimedRun) => {
  f.wall.push(r.wallMs);
  f.cpu.push(r.cpuMs);
};

const agents = readdirSync(INSTALLED)
  .sort()
  .filter((a) => args.agents === undefined || args.agents.split(',').includes(a));
const rows: { agent: string; node: Figures; bundle: Figures; installed: Figures; baseline: Figures }[] = [];
try {
  for (const agent of agents) {
    const bundle = { argv: [process.execPath, join(BUILT, agent), action] };
    const installed = { argv: [join(INSTALLED, agent), action] };
    const baseline = args.baseline ? { argv: [baselineLauncher(args.baseline, agent, cache), action] } : undefined;
    for (const warm of baseline ? [bundle, installed, baseline] : [bundle, installed]) {
      const r = await timedRun(warm, env);
      if (r.rc !== 0) throw new Error(`${warm.argv.join(' ')} returned ${r.rc}: ${r.output.slice(0, 300)}`);
    }
    const row = { agent, node: empty(), bundle: empty(), installed: empty(), baseline: empty() };
    for (let i = 0; i < runs; i++) {
      add(row.node, await timedRun(node, env));
      add(row.bundle, await timedRun(bundle, env));
      add(row.installed, await timedRun(installed, env));
      if (baseline) add(row.baseline, await timedRun(baseline, env));
    }
    rows.push(row);
    process.stderr.write('.');
  }
} finally {
  rmSync(cache, { recursive: true, force: true });
}

const ms = (v: number) => v.toFixed(1).padStart(6);
console.log(`\n${action}, medians of ${runs} interleaved runs: wall / CPU ms; overhead = agent − node -e 0 (same rounds)`);
console.log(
  `  ${'agent'.padEnd(18)} ${'node -e 0'.padEnd(15)} ${'bundle'.padEnd(15)} ${'installed'.padEnd(15)} overhead wall: bundle → installed`,
);
for (const r of rows) {
  const [n, b, i, base] = [r.node, r.bundle, r.installed, r.baseline].map((f) => ({ wall: median(f.wall), cpu: median(f.cpu) }));
  console.log(
    `  ${r.agent.padEnd(18)} ${ms(n!.wall)} /${ms(n!.cpu)}  ${ms(b!.wall)} /${ms(b!.cpu)}  ${ms(i!.wall)} /${ms(i!.cpu)}  +${(b!.wall - n!.wall).toFixed(1)} → +${(i!.wall - n!.wall).toFixed(1)} ms` +
      (args.baseline ? `   baseline installed +${(base!.wall - n!.wall).toFixed(1)} ms` : ''),
  );
}
console.log(`\ntarget (issue 10): meta-data ≤ node -e 0 + 4 ms`);
