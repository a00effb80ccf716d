import { basename } from 'node:path';
import type { Deadline } from '../ocf/deadline.ts';
import { DeadlineError, GenericError } from '../ocf/errors.ts';
import { spawnDaemon, type DaemonOptions } from './daemon.ts';
import { sizeOf, tellingLines } from './log-tail.ts';

export interface StartOptions<T> extends DaemonOptions {
  readonly deadline: Deadline;
  /** What readiness means, for the exit reason: "mysqld to answer on its socket". */
  readonly what: string;
  /** The daemon's log lines worth an exit reason. */
  readonly errorLines: RegExp;
  /** The ready state, or undefined while the daemon comes up; a throw also means "not yet". */
  readonly ready: () => Promise<T | undefined>;
  readonly intervalMs?: number;
}

/**
 * Starts a daemon and waits until it is ready, within the deadline. Fails fast when the daemon exits,
 * and either way the exit reason carries the telling lines it wrote to its log during this start.
 */
export async function startDaemon<T>(o: StartOptions<T>): Promise<{ pid: number; ready: T }> {
  const offset = sizeOf(o.logFile);
  const why = () => tellingLines(o.logFile, offset, o.errorLines).join(' | ') || `see ${o.logFile}`;
  const daemon = await spawnDaemon(o);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void daemon.exited.then((e) => {
    exit = e;
  });
  try {
    const ready = await o.deadline.until(
      o.what,
      async () => {
        if (exit) {
          throw new GenericError(
            `${basename(o.file)} exited during start (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}): ${why()}`,
          );
        }
        try {
          return await o.ready();
        } catch {
          // Still coming up, or wedged: the deadline decides.
          return undefined;
        }
      },
      o.intervalMs ?? 100,
    );
    return { pid: daemon.pid, ready };
  } catch (error) {
    if (error instanceof DeadlineError) throw new GenericError(`${error.message}; log: ${why()}`, { cause: error });
    throw error;
  }
}
