/**
 * The last committed position of a node whose grastate.dat does not say (it crashed, or was killed):
 * `mysqld --wsrep-recover` runs InnoDB recovery and prints it. Bounded by the action's deadline; the
 * output goes to a file of its own, never mixed with the server's error log.
 */
import { chownSync, closeSync, openSync, readFileSync } from 'node:fs';
import { childProcess } from '../ocf/builtins.ts';
import type { Deadline } from '../ocf/deadline.ts';
import { GenericError } from '../ocf/errors.ts';
import { findAccount } from '../process/users.ts';
import { prepareServerDirectories, type LaunchValues } from '../mysql/lifecycle.ts';

export interface RecoveredPosition {
  readonly uuid: string;
  readonly seqno: number;
  /** XA transactions left prepared by the crash: this node's data may miss what the cluster committed. */
  readonly prepared: number;
}

export function parseRecoveryLog(text: string): RecoveredPosition | undefined {
  const m = [...text.matchAll(/WSREP: Recovered position:\s*([0-9a-f-]{36}):(-?\d+)/g)].at(-1);
  if (!m) return undefined;
  const prepared = /Found (\d+) prepared transaction/.exec(text);
  return { uuid: m[1]!, seqno: Number(m[2]), prepared: prepared ? Number(prepared[1]) : 0 };
}

export async function recoverPosition(
  p: LaunchValues,
  logFile: string,
  deadline: Deadline,
  extra: readonly string[] = [],
): Promise<RecoveredPosition> {
  const account = findAccount(p.user)!;
  closeSync(openSync(logFile, 'w', 0o640));
  chownSync(logFile, account.uid, account.gid);
  prepareServerDirectories(p);
  // The instance's own pid file and socket: a fresh /run may lack the config's, and no client connects.
  const args = [
    `--defaults-file=${p.config}`,
    `--datadir=${p.datadir}`,
    `--pid-file=${p.pid}`,
    `--socket=${p.socket}`,
    '--skip-networking',
    `--user=${p.user}`,
    `--log-error=${logFile}`,
    '--wsrep-recover',
    ...extra,
  ];
  const timeout = deadline.budget(Number.MAX_SAFE_INTEGER, 'wsrep-recover');
  try {
    await new Promise<void>((resolve, reject) => {
      childProcess().execFile(
        p.binary,
        args,
        { timeout, killSignal: 'SIGKILL', cwd: '/', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } },
        (error, _stdout, stderr) => (error ? reject(Object.assign(error, { stderr })) : resolve()),
      );
    });
    const found = parseRecoveryLog(readLog(logFile));
    if (!found) throw new GenericError(`--wsrep-recover printed no position (see ${logFile})`);
    return found;
  } catch (error) {
    if (error instanceof GenericError) throw error;
    const e = error as Error & { stderr?: string; code?: number | string; killed?: boolean };
    const why = errorLines(readLog(logFile)) || errorLines(e.stderr ?? '') || (e.killed ? 'timed out' : `exit ${e.code}`);
    throw new GenericError(`recovering the last committed position (--wsrep-recover) failed: ${why}`, { cause: error });
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function errorLines(text: string): string {
  return text
    .split('\n')
    .filter((l) => /\[ERROR\]/.test(l))
    .slice(-2)
    .map((l) => l.replace(/^.*\[ERROR\]\s*/, ''))
    .join(' | ');
}
