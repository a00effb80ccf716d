// A launcher as install_agents writes it (build/launcher.cjs with the agent's name and bundle filled in,
// behind a shebang naming this Node), for a bundle that is not installed: tests and bench baselines.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.ts';

/** Writes the launcher of bundle `body` as agent `name` to `at`, from `template` (default: this build's). */
export function writeLauncher(name: string, body: string, at: string, template = join(ROOT, 'build/launcher.cjs')): string {
  const text = readFileSync(template, 'utf8').replaceAll('__NAME__', name).replaceAll('__BODY__', body);
  writeFileSync(at, `#!${process.execPath}\n${text}`);
  chmodSync(at, 0o755);
  return at;
}
