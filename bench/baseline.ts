// Another build of the agents timed beside this one (`--baseline DIR`, DIR being that build's build/out):
// each of its bundles behind a launcher as install.sh writes it, that build's own launcher when DIR is
// its build/out (../launcher.cjs), so that a change of launcher is measured too; else this one's.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../test/support/paths.ts';

/** Writes the launcher of `agent` from build `dir` into folder `into` and returns its path. */
export function baselineLauncher(dir: string, agent: string, into: string): string {
  const path = join(into, `baseline-${agent}`);
  const own = join(dir, '..', 'launcher.cjs');
  const body = readFileSync(existsSync(own) ? own : join(ROOT, 'build/launcher.cjs'), 'utf8')
    .replaceAll('__NAME__', agent)
    .replaceAll('__BODY__', join(dir, agent));
  writeFileSync(path, `#!${process.execPath}\n${body}`);
  chmodSync(path, 0o755);
  return path;
}
