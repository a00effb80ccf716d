import { monotonicMs } from '../ocf/clock.ts';
import type { Deadline } from '../ocf/deadline.ts';
import { GenericError } from '../ocf/errors.ts';
import type { Logger } from '../ocf/log.ts';
import { isLive, readProcess, signal, type ProcessInfo } from './proc.ts';

/** Still the same process: alive, and started at the same tick (a recycled pid starts later). */
function stillThere(p: ProcessInfo): boolean {
  const now = readProcess(p.pid);
  return isLive(now) && now.startTicks === p.startTicks;
}

export interface TerminateOptions {
  readonly deadline: Deadline;
  readonly log: Logger;
  /** What to call them in messages. */
  readonly what: string;
  /** Time kept back for SIGKILL and its confirmation (default: 20 % of what is left, 1–5 s). */
  readonly killReserveMs?: number;
}

/**
 * SIGTERM, wait, SIGKILL, confirm gone — all inside the deadline. Resolves only when every process is
 * really gone; a survivor is an error, because reporting a failed stop as success invites split brain.
 */
export async function terminate(processes: readonly ProcessInfo[], o: TerminateOptions): Promise<{ killed: boolean }> {
  let left = processes.filter(stillThere);
  if (left.length === 0) return { killed: false };
  const reserve = o.killReserveMs ?? Math.min(5000, Math.max(1000, o.deadline.remaining() * 0.2));
  for (const p of left) {
    signal(p.pid, 'SIGTERM');
    // A stopped (SIGSTOP) process only acts on SIGTERM once continued.
    signal(p.pid, 'SIGCONT');
  }
  const graceEnd = monotonicMs() + Math.max(0, o.deadline.remaining() - reserve);
  while (left.length > 0 && monotonicMs() < graceEnd) {
    await o.deadline.sleep(Math.min(100, graceEnd - monotonicMs()));
    left = left.filter(stillThere);
  }
  if (left.length === 0) return { killed: false };
  o.log.warn(`${o.what} (pid ${left.map((p) => p.pid).join(', ')}) still running after SIGTERM; sending SIGKILL`);
  for (const p of left) signal(p.pid, 'SIGKILL');
  while (left.length > 0 && !o.deadline.expired()) {
    await o.deadline.sleep(20);
    left = left.filter(stillThere);
  }
  if (left.length > 0) {
    throw new GenericError(`${o.what} (pid ${left.map((p) => p.pid).join(', ')}) survived SIGKILL until the stop deadline`);
  }
  return { killed: true };
}
