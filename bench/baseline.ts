// Another build of the agents timed beside this one (`--baseline DIR`, DIR being that build's build/out):
// each of its bundles behind a launcher as install.sh writes it, that build's own launcher when DIR is
// its build/out (../launcher.cjs), so that a change of launcher is measured too; else this one's.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeLauncher } from '../test/support/launcher.ts';

/** Writes the launcher of `agent` from build `dir` into folder `into` and returns its path. */
export function baselineLauncher(dir: string, agent: string, into: string): string {
  const own = join(dir, '..', 'launcher.cjs');
  return writeLauncher(agent, join(dir, agent), join(into, `baseline-${agent}`), existsSync(own) ? own : undefined);
}
