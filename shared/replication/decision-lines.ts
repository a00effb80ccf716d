/**
 * The HA_debug lines of the promotable mysql clone's decisions (decide.ts): one line each, naming what
 * the decision saw and what it decided. Pure, so that each line is tested without a server.
 */
import { asText } from '../ocf/log.ts';
import type { CatchUp, FollowVerdict, ForkPoint, Health, InstanceState, PromotionVerdict, RoleVerdict } from './decide.ts';
import { formatPosition, type Position } from './position.ts';

/** The monitor's role decision: read_only, the replication source and lag, the health and verdict. */
export function roleDecisionLine(
  state: Pick<InstanceState, 'readOnly' | 'replica'>,
  limits: { readonly maxLag: number; readonly evict: boolean },
  health: Health,
  verdict: RoleVerdict,
): string {
  const source = state.replica.configured ? `from ${state.replica.masterHost}` : 'not configured';
  return (
    `role decision: read_only=${state.readOnly}, replication ${source}, ` +
    `lag ${state.replica.secondsBehind ?? 'unknown'} s (max_slave_lag ${limits.maxLag}, evict ${limits.evict}) ` +
    `-> health ${asText(health)} -> ${asText(verdict)}`
  );
}

/** promote: this instance's position, the partition, every published position, the verdict, a catch-up. */
export function promoteDecisionLine(
  self: string,
  position: Position,
  partition: readonly string[],
  published: ReadonlyMap<string, Position>,
  verdict: PromotionVerdict,
  plan: CatchUp | undefined,
): string {
  const positions = [...published].map(([n, p]) => `${n}=${formatPosition(p) || 'empty'}`).join(' ') || 'none';
  return (
    `promote decision: ${self} at ${formatPosition(position) || 'an empty position'}, partition [${partition.join(', ')}], ` +
    `published ${positions} -> ${asText(verdict)}${plan ? `, catch up from ${plan.from} ${plan.target.node}` : ''}`
  );
}

/** A replica's choice to follow a new primary: its position, the fork point, the verdict (errant transactions). */
export function followDecisionLine(local: Position, fork: ForkPoint | undefined, primary: string, verdict: FollowVerdict): string {
  return `follow decision: local ${formatPosition(local) || 'empty'}, fork point ${fork ? asText(fork) : 'none'} on ${primary} -> ${asText(verdict)}`;
}
