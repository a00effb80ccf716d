import { setTimeout as delay } from 'node:timers/promises';
import { monotonicMs, sinceStartMs } from './clock.ts';
import { DeadlineError } from './errors.ts';

/**
 * One deadline per action, derived from the operation timeout less a margin, so the agent ends with
 * its own exit reason before Pacemaker kills its process group.
 */
export class Deadline {
  readonly #end: number;
  readonly totalMs: number;
  #signal: AbortSignal | undefined;

  constructor(totalMs: number, now: number = monotonicMs()) {
    this.totalMs = totalMs;
    this.#end = now + totalMs;
  }

  /**
   * The budget for an operation timeout: keep a margin (10 %, at least 500 ms, at most 5 s) for the
   * exit reason and clean-up, and count the time the process already spent starting.
   */
  static forOperation(timeoutMs: number, elapsedMs: number = sinceStartMs()): Deadline {
    const margin = Math.min(5000, Math.max(500, timeoutMs * 0.1));
    return new Deadline(Math.max(0, timeoutMs - margin - elapsedMs));
  }

  remaining(): number {
    return Math.max(0, this.#end - monotonicMs());
  }

  expired(): boolean {
    return this.remaining() <= 0;
  }

  /** A per-call timeout: the cap, or what is left if that is less. Throws when nothing is left. */
  budget(capMs: number, what: string): number {
    const left = this.remaining();
    if (left <= 0) throw new DeadlineError(`${what}: no time left before the operation timeout`);
    return Math.max(1, Math.floor(Math.min(capMs, left)));
  }

  /** Aborts when the deadline passes. */
  get signal(): AbortSignal {
    this.#signal ??= AbortSignal.timeout(Math.max(1, Math.ceil(this.remaining())));
    return this.#signal;
  }

  async sleep(ms: number): Promise<void> {
    const wait = Math.min(ms, this.remaining());
    if (wait > 0) await delay(wait, undefined, { ref: true });
  }

  /**
   * Polls `probe` until it returns a value other than undefined, or the deadline passes.
   * Never unbounded: the exit reason says what was awaited and for how long.
   */
  async until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, intervalMs = 100): Promise<T> {
    const started = monotonicMs();
    for (;;) {
      const result = await probe();
      if (result !== undefined) return result;
      if (this.remaining() <= 0) {
        throw new DeadlineError(`timed out after ${Math.round(monotonicMs() - started)} ms waiting for ${what}`);
      }
      await this.sleep(Math.min(intervalMs, Math.max(1, this.remaining())));
    }
  }
}
