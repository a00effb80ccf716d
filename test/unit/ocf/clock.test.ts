import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { monotonicMs, sinceStartMs } from '../../../shared/ocf/clock.ts';
import { Deadline } from '../../../shared/ocf/deadline.ts';

describe('clock', () => {
  it('monotonicMs moves forward across a real wait', async () => {
    const before = monotonicMs();
    await delay(20);
    expect(monotonicMs() - before).toBeGreaterThanOrEqual(15);
  });

  it('sinceStartMs is the process uptime in milliseconds', () => {
    const uptimeMs = process.uptime() * 1000;
    const since = sinceStartMs();
    expect(since).toBeGreaterThanOrEqual(uptimeMs);
    expect(since - uptimeMs).toBeLessThan(1_000);
  });

  it('an operation deadline counts the time since the process started by default', () => {
    const spent = sinceStartMs();
    const deadline = Deadline.forOperation(1_000_000);
    expect(deadline.totalMs).toBeLessThanOrEqual(995_000 - spent);
    expect(deadline.totalMs).toBeGreaterThan(995_000 - spent - 1_000);
  });
});
