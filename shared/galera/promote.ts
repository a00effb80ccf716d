/**
 * promote (Unpromoted → Promoted: the server runs in the primary component), demote (back to stopped,
 * position published again) and notify (Unpromoted members decide again when the cluster changed).
 */
import { deleteClusterProperty, setClusterProperty, setPromotionScore, setPromotionScoreOn } from '../cluster/attributes.ts';
import { ownNodeName } from '../cluster/membership.ts';
import { readNotifyEnv } from '../cluster/notify-env.ts';
import type { Outcome } from '../ocf/agent.ts';
import { GenericError } from '../ocf/errors.ts';
import { OCF } from '../ocf/exit-codes.ts';
import { stopServer } from '../mysql/lifecycle.ts';
import { serverStatus } from '../mysql/status.ts';
import { decideBootstrap, JOIN_SCORE, PROMOTED_SCORE, assessMember } from './decide.ts';
import { exclusionProperty, isStarted, withCheckSession, type Ctx } from './instance.ts';
import { bringIntoCluster } from './join.ts';
import { settleStopped } from './lifecycle.ts';
import { detectPosition, forgetPosition, publishPosition, readClusterView } from './position.ts';
import { describeReport } from './report.ts';
import { describeVerdict, scoreFromDecision, setWritable } from './scores.ts';
import { readWsrepStatus } from './wsrep.ts';

export async function promote(ctx: Ctx): Promise<Outcome> {
  const self = await ownNodeName(ctx.env, ctx.deadline);
  const status = await serverStatus(ctx.params, ctx.deadline);
  if (status.kind !== 'stopped') {
    const s = await withCheckSession(ctx, (session) => readWsrepStatus(session));
    const verdict = assessMember(s);
    if (verdict.kind === 'failed') throw new GenericError(`mysqld runs but is not a usable member: ${verdict.reason}`);
    return { code: OCF.SUCCESS, note: 'already a member of the primary component' };
  }
  // Decided again now, on what every node reports at this moment, not on what the score was set from.
  const verdict = decideBootstrap(await readClusterView(ctx, self));
  ctx.log.info(describeVerdict(verdict, self));
  if (verdict.kind === 'wait') {
    await setPromotionScore(ctx.env, undefined, ctx.deadline, ctx.log, true);
    throw new GenericError(`not promoting ${self}: ${verdict.reason}`);
  }
  const bootstrapping = verdict.kind === 'bootstrap' && verdict.node === self;
  if (bootstrapping) {
    // Recorded before the history restarts: a member left out must not later rejoin by IST from
    // past this point (it would keep transactions this cluster never had).
    for (const node of verdict.excluded) {
      await setClusterProperty(exclusionProperty(ctx, node), `${verdict.uuid}:${verdict.seqno}`, ctx.deadline);
      ctx.log.warn(
        `bootstrapping without ${node} (${verdict.rule}): it rejoins by full state transfer if it holds anything past seqno ${verdict.seqno}`,
      );
    }
  }
  // Another node bootstrapping is no reason to refuse: the server waits for its primary component.
  await bringIntoCluster(ctx, bootstrapping, self);
  await forgetPosition(ctx);
  await clearExclusion(ctx, self);
  await setWritable(ctx, true, true);
  await setPromotionScore(ctx.env, PROMOTED_SCORE, ctx.deadline, ctx.log, true);
  if (bootstrapping) {
    // The others join as soon as Pacemaker sees their score, not at their next monitor.
    const waiting = (await readClusterView(ctx, self)).reports;
    for (const node of waiting.keys()) if (node !== self) await setPromotionScoreOn(node, JOIN_SCORE, ctx.deadline);
  }
  return { code: OCF.SUCCESS, note: bootstrapping ? 'bootstrapped a new primary component' : 'joined the primary component' };
}

/** A member that is Synced again is part of the history: the exclusion no longer applies. */
async function clearExclusion(ctx: Ctx, self: string): Promise<void> {
  await deleteClusterProperty(exclusionProperty(ctx, self), ctx.deadline);
}

/** Promoted → Unpromoted: the server stops cleanly (grastate.dat keeps its seqno) and the position is published again. */
export async function demote(ctx: Ctx): Promise<Outcome> {
  await setWritable(ctx, false, true);
  const how = await stopServer(ctx);
  await settleStopped(ctx);
  if (isStarted(ctx)) {
    const self = await ownNodeName(ctx.env, ctx.deadline);
    const report = await detectPosition(ctx, self);
    await publishPosition(ctx, report);
    return { code: OCF.SUCCESS, note: `${how}; Unpromoted at ${describeReport(report)}` };
  }
  return { code: OCF.SUCCESS, note: how };
}

/** After any change of the clone, a stopped member decides again at once instead of at its next monitor. */
export async function notify(ctx: Ctx): Promise<Outcome> {
  const n = readNotifyEnv(ctx.env.meta);
  if (n.type !== 'post' || !isStarted(ctx)) return OCF.SUCCESS;
  const status = await serverStatus(ctx.params, ctx.deadline).catch(() => undefined);
  if (status?.kind !== 'stopped') return OCF.SUCCESS;
  const self = await ownNodeName(ctx.env, ctx.deadline);
  const verdict = await scoreFromDecision(ctx, self);
  ctx.log.info(`after ${n.operation}: ${describeVerdict(verdict, self)}`);
  return OCF.SUCCESS;
}
