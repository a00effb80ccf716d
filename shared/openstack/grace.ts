/**
 * A problem that restarting the service would not fix (a dependency failing over), tolerated for a
 * while: the first monitor that sees it records when, and reports DEGRADED (190) while the grace lasts;
 * a monitor that no longer sees it clears the record; a problem still there after the grace is a
 * failure, so a service that stays broken is still recovered. RPC services use it for a missing
 * consumer (consumer-grace.ts), API services for a failing backend (backend-grace.ts).
 */
import { OCF, type OcfCode } from '../ocf/exit-codes.ts';
import type { MonitorStateFile } from './monitor-state.ts';

export interface GraceVerdict {
  readonly code: OcfCode;
  /** Seconds the problem has lasted, as recorded. */
  readonly lastedFor: number;
}

/** Pure: a problem seen since `since` (epoch ms, undefined: not recorded), at `now`, with `graceSeconds`. */
export function graceVerdict(since: number | undefined, now: number, graceSeconds: number): GraceVerdict {
  const lastedFor = since === undefined ? 0 : Math.max(0, (now - since) / 1000);
  // No grace, or nowhere to record: a failure at once, as without a grace.
  if (graceSeconds <= 0 || since === undefined) return { code: OCF.ERR_GENERIC, lastedFor };
  return { code: lastedFor < graceSeconds ? OCF.DEGRADED : OCF.ERR_GENERIC, lastedFor };
}

/** When a problem was first seen, kept in `file`. */
export function sinceRecord(file: MonitorStateFile) {
  return {
    /** When the problem was first seen; records `now` when it was not yet (undefined: nowhere to record). */
    since(now: number): number | undefined {
      const at = Number(file.read());
      if (Number.isFinite(at) && at > 0 && at <= now) return at;
      return file.write(String(now)) ? now : undefined;
    },
    clear: () => file.clear(),
  };
}
