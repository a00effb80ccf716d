/**
 * The promotion score an Unpromoted member gives itself from the bootstrap decision, and the writer
 * flag a running member publishes. Pacemaker promotes members with a positive score.
 */
import { setNodeFlag, setPromotionScore } from '../cluster/attributes.ts';
import { bootstrapDecisionLine } from './decision-lines.ts';
import { BOOTSTRAP_SCORE, decideBootstrap, JOIN_SCORE, type BootstrapVerdict } from './decide.ts';
import type { Ctx } from './instance.ts';
import { readClusterView } from './position.ts';

/** Decides and scores: join or bootstrap earn a score; waiting removes it; another node's bootstrap leaves it. */
export async function scoreFromDecision(ctx: Ctx, self: string): Promise<BootstrapVerdict> {
  const view = await readClusterView(ctx, self);
  const verdict = decideBootstrap(view);
  // HA_debug=1: every input of the bootstrap decision and its outcome (decide.ts says why).
  ctx.log.debug(bootstrapDecisionLine(view, verdict));
  if (verdict.kind === 'join') await setPromotionScore(ctx.env, JOIN_SCORE, ctx.deadline, ctx.log, ctx.probe);
  else if (verdict.kind === 'wait') await setPromotionScore(ctx.env, undefined, ctx.deadline, ctx.log, ctx.probe);
  else if (verdict.node === self) await setPromotionScore(ctx.env, BOOTSTRAP_SCORE, ctx.deadline, ctx.log, ctx.probe);
  return verdict;
}

export async function setWritable(ctx: Ctx, writable: boolean, force = false): Promise<void> {
  await setNodeFlag(ctx.env, ctx.params.writer_attribute, writable, ctx.deadline, ctx.log, force || ctx.probe);
}

export function describeVerdict(v: BootstrapVerdict, self: string): string {
  switch (v.kind) {
    case 'join':
      return `a primary component runs on ${v.primary.join(', ')}: ${self} joins it`;
    case 'bootstrap':
      return v.node === self
        ? `${self} bootstraps the cluster: ${v.reason}`
        : `${v.node} bootstraps the cluster, ${self} joins after: ${v.reason}`;
    case 'wait':
      return `not bootstrapping: ${v.reason}`;
  }
}
