// Another build of the agents timed beside this one (`--baseline DIR`, DIR being that build's build/out):
// each of its bundles behind a launcher as install.sh writes it: that build's own launcher of the agent
// (DIR/<agent>.launcher.cjs; else its plain DIR/launcher.cjs, or DIR/../launcher.cjs from a build before
// build/launcher.ts) when it has one, so that a
// change of launcher is measured too; else this one's.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeLauncher } from '../test/support/launcher.ts';

/** Writes the launcher of `agent` from build `dir` into folder `into` and returns its path. */
export function baselineLauncher(dir: string, agent: string, into: string): string {
  const own = [join(dir, `${agent}.launcher.cjs`), join(dir, 'launcher.cjs'), join(dir, '..', 'launcher.cjs')].find((f) => existsSync(f));
  return writeLauncher(agent, join(dir, agent), join(into, `baseline-${agent}`), own);
}
