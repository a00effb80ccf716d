import { describe, expect, it } from 'vitest';
import { monotonicMs } from '../../../shared/ocf/clock.ts';
import { Deadline } from '../../../shared/ocf/deadline.ts';
import { DeadlineError } from '../../../shared/ocf/errors.ts';

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('it did not throw');
}

describe('Deadline.forOperation', () => {
  it.each<[string, number, number, number]>([
    ['keeps 10 % of a 20 s timeout', 20_000, 0, 18_000],
    ['keeps at least 500 ms of a 2 s timeout', 2_000, 0, 1_500],
    ['keeps at least 500 ms of a 1 s timeout', 1_000, 0, 500],
    ['keeps exactly 500 ms at 5 s', 5_000, 0, 4_500],
    ['keeps exactly 5 s at 50 s', 50_000, 0, 45_000],
    ['keeps at most 5 s of a 120 s timeout', 120_000, 0, 115_000],
    ['subtracts the time already spent', 20_000, 1_200, 16_800],
    ['never goes below zero', 1_000, 800, 0],
    ['gives nothing for a zero timeout', 0, 0, 0],
  ])('%s', (_, timeoutMs, elapsedMs, totalMs) => {
    expect(Deadline.forOperation(timeoutMs, elapsedMs).totalMs).toBe(totalMs);
  });

  it('starts counting now', () => {
    const deadline = Deadline.forOperation(20_000, 0);
    expect(deadline.remaining()).toBeGreaterThan(17_000);
    expect(deadline.remaining()).toBeLessThanOrEqual(18_000);
    expect(deadline.expired()).toBe(false);
  });

  it('an operation that already used its time is expired at once', () => {
    expect(Deadline.forOperation(1_000, 5_000).expired()).toBe(true);
  });
});

describe('Deadline', () => {
  it('a deadline in the past has nothing left', () => {
    const deadline = new Deadline(1_000, monotonicMs() - 2_000);
    expect(deadline.remaining()).toBe(0);
    expect(deadline.expired()).toBe(true);
  });

  it('budget gives the cap when more time is left', () => {
    expect(new Deadline(60_000).budget(5_000, 'connect')).toBe(5_000);
  });

  it('budget gives what is left when that is less than the cap', () => {
    const budget = new Deadline(2_000).budget(10_000, 'connect');
    expect(budget).toBeGreaterThan(1_000);
    expect(budget).toBeLessThanOrEqual(2_000);
    expect(Number.isInteger(budget)).toBe(true);
  });

  it('budget throws a DeadlineError naming the call when the deadline has passed', () => {
    const deadline = new Deadline(0);
    expect(() => deadline.budget(5_000, 'query SELECT 1')).toThrow(DeadlineError);
    expect(() => deadline.budget(5_000, 'query SELECT 1')).toThrow('query SELECT 1: no time left before the operation timeout');
  });

  it('until returns the first value the probe gives', async () => {
    let calls = 0;
    const value = await new Deadline(10_000).until('the third call', () => (++calls === 3 ? 'ready' : undefined), 1);
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('until accepts an async probe and falsy values other than undefined', async () => {
    expect(await new Deadline(1_000).until('zero', async () => 0)).toBe(0);
    expect(await new Deadline(1_000).until('false', () => false)).toBe(false);
    expect(await new Deadline(1_000).until('null', () => null)).toBe(null);
  });

  it('until times out with a DeadlineError saying what it waited for', async () => {
    let calls = 0;
    const error = await caught(
      new Deadline(150).until(
        'the socket to appear',
        () => {
          calls++;
          return undefined;
        },
        20,
      ),
    );
    expect(error).toBeInstanceOf(DeadlineError);
    expect(error.message).toMatch(/^timed out after \d+ ms waiting for the socket to appear$/);
    expect(calls).toBeGreaterThan(1);
  });

  it('sleep returns at once when the deadline has passed', async () => {
    const deadline = new Deadline(0);
    const before = monotonicMs();
    await deadline.sleep(60_000);
    expect(monotonicMs() - before).toBeLessThan(1_000);
  });

  it('until still asks once when the deadline has already passed', async () => {
    expect(await new Deadline(0).until('a value', () => 'here')).toBe('here');
  });

  it('until passes on a probe failure', async () => {
    const error = await caught(
      new Deadline(1_000).until('x', () => {
        throw new Error('probe broke');
      }),
    );
    expect(error.message).toBe('probe broke');
  });

  it('sleep ends by the deadline rather than sleeping past it', async () => {
    const deadline = new Deadline(100);
    await deadline.sleep(60_000);
    // Timers have millisecond granularity: it wakes at the deadline, give or take a tick.
    expect(deadline.remaining()).toBeLessThan(50);
  });

  it('signal aborts with a timeout once the deadline passes', async () => {
    const signal = new Deadline(50).signal;
    expect(signal.aborted).toBe(false);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('TimeoutError');
  });

  it('signal is one signal per deadline', () => {
    const deadline = new Deadline(10_000);
    expect(deadline.signal).toBe(deadline.signal);
  });
});
