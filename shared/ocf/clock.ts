// Reading `performance` loads perf_hooks (milliseconds of start-up per invocation); these do not.

/** Monotonic milliseconds. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Milliseconds since this process started (Pacemaker's timeout counts from the fork). */
export function sinceStartMs(): number {
  return process.uptime() * 1000;
}
