import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { NotInstalledError } from '../ocf/errors.ts';
import { memberOf, type Account } from './users.ts';

export type Access = 'read' | 'write' | 'execute';

const BITS: Readonly<Record<Access, number>> = { read: 4, write: 2, execute: 1 };

/**
 * Can `account` read/write/execute `path`? The agent runs as root, for which access(2) always says yes,
 * so the mode bits are checked for the account the daemon will run as.
 */
export function accountCan(account: Account, stats: Stats, access: Access): boolean {
  if (account.uid === 0) return access !== 'execute' || (stats.mode & 0o111) !== 0;
  const bit = BITS[access];
  if (stats.uid === account.uid) return ((stats.mode >> 6) & bit) !== 0;
  if (memberOf(account).includes(stats.gid)) return ((stats.mode >> 3) & bit) !== 0;
  return (stats.mode & bit) !== 0;
}

export function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The program a parameter names is there to run: not installed (5) otherwise. A bare name is one the
 * runner found nowhere on the agent's PATH (it resolves the others), so it is missing software too,
 * as the shell agents' check_binary says, never a configuration error.
 */
export function assertExecutable(parameter: string, program: string): void {
  if (program !== '' && !program.includes('/')) {
    throw new NotInstalledError(`${parameter} ${program} is not installed: not found on the agent's PATH`);
  }
  try {
    accessSync(program, constants.X_OK);
    if (statSync(program).isFile()) return;
  } catch {
    // below
  }
  throw new NotInstalledError(`${parameter} ${program} is not installed or not executable`);
}
