import { childProcess } from '../ocf/builtins.ts';
import { closeSync, openSync } from 'node:fs';

export interface DaemonOptions {
  readonly file: string;
  readonly args: readonly string[];
  /** Append stdout and stderr here; never the agent's own pipes, which callers read to EOF. */
  readonly logFile: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with the pid as soon as the daemon runs (say, to write a pid file the daemon does not). */
  readonly onSpawn?: (pid: number) => void;
}

export interface Daemon {
  readonly pid: number;
  /** Settles if the daemon exits while the agent still runs: start fails fast on it. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/**
 * Starts a daemon in its own session (so Pacemaker's kill of the agent's process group spares it),
 * with stdin from /dev/null and output to its log, as the given user and group (no su).
 */
export async function spawnDaemon(o: DaemonOptions): Promise<Daemon> {
  const out = openSync(o.logFile, 'a', 0o640);
  try {
    const child = childProcess().spawn(o.file, o.args, {
      detached: true,
      stdio: ['ignore', out, out],
      cwd: o.cwd ?? '/',
      env: o.env ?? { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
      ...(o.uid !== undefined ? { uid: o.uid } : {}),
      ...(o.gid !== undefined ? { gid: o.gid } : {}),
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: 127, signal: null }));
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      child.once('error', reject);
    });
    child.unref();
    o.onSpawn?.(pid);
    return { pid, exited };
  } finally {
    closeSync(out);
  }
}
