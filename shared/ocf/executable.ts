import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/**
 * A program named without a slash, found on a PATH the way a shell (and the shell agents' `which`)
 * finds it: the first directory in which it is an executable regular file. Empty entries are skipped
 * (a shell would read them as the current directory, which an agent has no business trusting).
 * Undefined when it is nowhere on the PATH.
 */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  if (name === '' || name.includes('/')) return undefined;
  for (const dir of (path ?? '').split(':')) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
