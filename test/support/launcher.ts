// A launcher as install_agents writes it (the build's launcher of the agent, build/out/<name>.launcher.cjs,
// with the bundle filled in, behind a shebang naming this Node), for a bundle that is not installed: tests
// and bench baselines.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT } from './paths.ts';

/**
 * Writes the launcher of bundle `body` as agent `name` to `at`, from `template`: by default this build's
 * launcher of that agent, which answers meta-data itself; the plain build/out/launcher.cjs hands every action,
 * meta-data too, to the bundle.
 */
export function writeLauncher(name: string, body: string, at: string, template = builtLauncher(name)): string {
  const text = readFileSync(template, 'utf8').replaceAll('__NAME__', name).replaceAll('__BODY__', body);
  writeFileSync(at, `#!${process.execPath}\n${text}`);
  chmodSync(at, 0o755);
  return at;
}

/** This build's launcher of `name`, or the plain template for a build without one. */
function builtLauncher(name: string): string {
  const own = join(BUILT, `${name}.launcher.cjs`);
  return existsSync(own) ? own : join(BUILT, 'launcher.cjs');
}
