/**
 * ocf:tsha:mysql as a promotable clone: start as a replica, promote, demote, notifications and stop.
 * Decisions are the pure functions of shared/replication/decide.ts; this file does the I/O around them.
 * The clone's names and sessions are in clone.ts, its validation in validate-promotable.ts, the role
 * part of monitor in role-monitor.ts.
 */
import type { Outcome } from '../ocf/agent.ts';
import { Deadline } from '../ocf/deadline.ts';
import { GenericError } from '../ocf/errors.ts';
import { OCF } from '../ocf/exit-codes.ts';
import {
  clusterProperty,
  forgetPrivate,
  forgetWrittenAttributes,
  publishPrivate,
  queryPrivateAll,
  setClusterProperty,
  setPromotionScore,
  setNodeFlag,
} from '../cluster/attributes.ts';
import { readNotifyEnv, runningAfterTransition } from '../cluster/notify-env.ts';
import {
  catchUpPlan,
  mayFollow,
  mayPromote,
  ownTransactionsToFetch,
  replicationError,
  SCORE,
  type ForkPoint,
} from '../replication/decide.ts';
import { followDecisionLine, promoteDecisionLine } from '../replication/decision-lines.ts';
import { comparePositions, formatPosition, parsePosition, reachablePosition, type Flavor, type Position } from '../replication/position.ts';
import {
  errantFile,
  forkProperty,
  gtidAttribute,
  partitionAttribute,
  replicationUserSession,
  sourceFor,
  withReplication,
  withReplicationUser,
  type Ctx,
} from './clone.ts';
import { resetClientConnections } from './client-connections.ts';
import { holdOut, releaseHold } from './errant-marker.ts';
import {
  applyReceived,
  becomeReadOnly,
  enableSemiSync,
  follow,
  readInstanceState,
  resumeApplying,
  setReadOnly,
  stopApplying,
  stopReceivingInBackground,
  writeAsItself,
} from './replication.ts';

/** The current primary's fork point (cluster property "<position>;<source>"), read in this server's flavour. */
async function forkPoint(ctx: Ctx, flavor: Flavor): Promise<ForkPoint | undefined> {
  const value = await clusterProperty(forkProperty(ctx), ctx.deadline);
  if (!value) return undefined;
  const [position, source] = value.split(';');
  return { position: parsePosition(position ?? '', flavor), source: flavor === 'mysql' ? (source ?? '') : Number(source) };
}

/** start, promotable: the instance comes up read-only (a replica); notifications attach it. */
export async function startAsReplica(ctx: Ctx): Promise<void> {
  await withReplication(ctx, async (r) => {
    await setReadOnly(r, true);
    if (ctx.params.semi_sync) await enableSemiSync(r);
  });
  forgetWrittenAttributes(ctx.env);
  await setPromotionScore(ctx.env, SCORE.IDLE, ctx.deadline, ctx.log, true);
  await setNodeFlag(ctx.env, ctx.params.reader_attribute, false, ctx.deadline, ctx.log, true);
}

export async function promote(ctx: Ctx): Promise<Outcome> {
  return withReplication(ctx, async (r) => {
    let state = await readInstanceState(r);
    if (!state.readOnly) {
      ctx.log.info('promote: already the primary');
      return { code: OCF.SUCCESS, note: 'already primary' };
    }
    // A replication error disqualifies; a SQL thread merely stopped (say, by a promote that failed
    // later) does not: applying resumes below.
    const error = state.replica.configured ? replicationError(state.replica) : undefined;
    if (error) throw new GenericError(`refusing to promote a broken replica: ${error}`);
    const self = ctx.env.meta.get('on_node') ?? '';
    const [partition, published] = await promotionPartition(ctx, r.dialect.flavor);
    // The most advanced instance of this partition wins: positions compared now (decide.ts).
    let verdict = mayPromote({ node: self, position: reachablePosition(state.position, state.received) }, partition, published);
    const plan = catchUpPlan(verdict, state.replica);
    ctx.log.debug(promoteDecisionLine(self, reachablePosition(state.position, state.received), partition, published, verdict, plan));
    if (plan) {
      const { node, position } = plan.target;
      const budget = new Deadline(Math.min(10_000, ctx.deadline.remaining() / 2));
      ctx.log.info(
        `promote: ${node} has ${formatPosition(position)}; ${plan.from === 'source' ? 'receiving it from the source' : `replicating it from ${node}`} first`,
      );
      if (plan.from === 'peer') await follow(r, await sourceFor(ctx, node));
      await applyReceived(r, formatPosition(position), budget).catch((error: unknown) =>
        ctx.log.warn(`promote: ${(error as Error).message}`),
      );
      state = await readInstanceState(r);
      verdict = mayPromote({ node: self, position: reachablePosition(state.position, state.received) }, partition, published);
    }
    if (!verdict.promote) {
      await setPromotionScore(ctx.env, SCORE.IDLE, ctx.deadline, ctx.log, true);
      throw new GenericError(`refusing to promote: ${verdict.reason}`);
    }
    if (state.replica.configured) {
      // Everything received is applied before the first write is accepted; then nothing more is applied.
      // Events this server wrote itself and got back are never re-applied: only a received position
      // ahead of what it has counts.
      if (!state.replica.sqlRunning) await resumeApplying(r);
      const order = comparePositions(state.received, state.position);
      if (order === 'ahead' || order === 'diverged') await applyReceived(r, formatPosition(state.received), ctx.deadline);
      await stopApplying(r);
      // The IO thread stops in the background; the primary's monitor forgets the source afterwards.
      const stopper = await replicationUserSession(ctx);
      stopReceivingInBackground(stopper, r.sql);
      // Long enough for the statement to leave this process; the server finishes it on its own.
      await ctx.deadline.sleep(20);
      stopper.close();
    }
    // Written from here on under its own server_id, which names its transactions (server-id.ts).
    await writeAsItself(r, state);
    const after = await readInstanceState(r);
    await setClusterProperty(forkProperty(ctx), `${formatPosition(after.position)};${after.source}`, ctx.deadline);
    if (ctx.params.semi_sync) await enableSemiSync(r);
    await setReadOnly(r, false);
    releaseHold(ctx);
    await setPromotionScore(ctx.env, SCORE.PRIMARY, ctx.deadline, ctx.log, true);
    // A primary is readable (decide.ts). Published here, beside the promotion's own CIB writes (which
    // abort the transition anyway), not by the first monitor a second later: every attribute change
    // aborts the transition, and Pacemaker then starts nothing more until the actions in flight have
    // ended — in a failover, the starts of the services that moved (4–9 s in the lab).
    await setNodeFlag(ctx.env, ctx.params.reader_attribute, true, ctx.deadline, ctx.log);
    return { code: OCF.SUCCESS, note: `primary from ${formatPosition(after.position) || 'an empty position'}` };
  });
}

/**
 * The partition recorded at this transition's pre-promote (this node alone when none was: a promotion
 * outside a notified transition, by hand) and the positions its members published then.
 */
async function promotionPartition(ctx: Ctx, flavor: Flavor): Promise<[string[], Map<string, Position>]> {
  const self = ctx.env.meta.get('on_node') ?? '';
  const recorded = (await queryPrivateAll(partitionAttribute(ctx), ctx.deadline)).get(self);
  const published = await queryPrivateAll(gtidAttribute(ctx), ctx.deadline);
  const positions = new Map<string, Position>();
  for (const [node, text] of published)
    if (text.startsWith(POSITION)) positions.set(node, parsePosition(text.slice(POSITION.length), flavor));
  return [recorded ? recorded.split(' ').filter(Boolean) : [self], positions];
}

/**
 * A published position is "position:<text>" (an empty instance's text is empty, and attrd drops empty
 * values); "unknown" is what an instance publishes when it cannot read its server: a member with no position.
 */
const POSITION = 'position:';
const UNKNOWN = 'unknown';

export async function demote(ctx: Ctx): Promise<Outcome> {
  await withReplication(ctx, async (setter) => {
    await withReplicationUser(ctx, async (killer) => {
      // read_only, and client sessions ended — at once if an open transaction holds read_only back:
      // a long query cannot hold demotion past the deadline.
      const ended = await becomeReadOnly(setter, killer, 1000);
      if (ended > 0) ctx.log.info(`demote: ended ${ended} client sessions`);
      // A promote that failed half-way may have stopped applying: a replica applies again.
      const state = await readInstanceState(setter);
      if (state.replica.configured && !state.replica.sqlRunning && !replicationError(state.replica)) await resumeApplying(setter);
    });
  });
  await setPromotionScore(ctx.env, SCORE.IDLE, ctx.deadline, ctx.log, true);
  return OCF.SUCCESS;
}

/** Points this replica at `primary`, unless it holds transactions the primary never had. */
async function attach(ctx: Ctx, primary: string): Promise<void> {
  await withReplication(ctx, async (r) => {
    const fork = await forkPoint(ctx, r.dialect.flavor);
    const state = await readInstanceState(r);
    const verdict = mayFollow(state.position, fork);
    ctx.log.debug(followDecisionLine(state.position, fork, primary, verdict));
    if (!verdict.follow) {
      const reason =
        `errant transactions ${verdict.errant.join(', ')} exist only here, not on primary ${primary}: ` +
        'not replicating over them; resolve by hand (re-clone this instance, or keep them and re-promote), then delete ' +
        errantFile(ctx);
      holdOut(ctx, reason);
      ctx.log.err(reason);
      return;
    }
    const source = await sourceFor(ctx, primary);
    const own = ownTransactionsToFetch(state.position, fork, state.source);
    if (own.length > 0)
      ctx.log.info(`${own.join(', ')} written here were lost here (crash recovery) and are on ${primary}: replicated back`);
    await setReadOnly(r, true);
    await follow(r, source);
    ctx.log.info(`replicating from ${primary} (${source.host}:${source.port})`);
  });
}

/** Notifications never fail (Pacemaker ignores the result): problems are logged and left to monitor. */
export async function notify(ctx: Ctx): Promise<Outcome> {
  const n = readNotifyEnv(ctx.env.meta);
  const self = ctx.env.meta.get('on_node') ?? '';
  try {
    switch (`${n.type}-${n.operation}`) {
      case 'pre-promote': {
        // Every instance publishes how far it is, for the promoting instance to compare; the promoting
        // one also records who was asked, so that only this partition's positions count (decide.ts).
        // Both before the promote runs (Pacemaker waits for every pre-promote): side by side, since
        // this step is on the failover's critical path.
        const partition = n.promote.includes(self)
          ? publishPrivate(partitionAttribute(ctx), runningAfterTransition(n).join(' '), ctx.deadline)
          : Promise.resolve();
        const position = await withReplication(ctx, readInstanceState)
          .then((state) => POSITION + formatPosition(reachablePosition(state.position, state.received)))
          .catch((error: unknown) => {
            ctx.log.warn(`pre-promote: cannot read this instance's position (${(error as Error).message}): published as unknown`);
            return UNKNOWN;
          });
        await Promise.all([partition, publishPrivate(gtidAttribute(ctx), position, ctx.deadline)]);
        break;
      }
      case 'post-promote': {
        // Positions and the partition served this promotion only; none is left for the next one to misread.
        // Side by side: the VIP ordered after the promotion waits for every post-promote too.
        const [, , reset] = await Promise.all([
          forgetPrivate(gtidAttribute(ctx), ctx.deadline),
          n.promote.includes(self) ? forgetPrivate(partitionAttribute(ctx), ctx.deadline) : undefined,
          resetClientConnections(ctx.params.client_vip, ctx.params.replication_port, ctx.deadline),
        ]);
        if (reset !== undefined) ctx.log.info(`post-promote: ${reset}`);
        const primary = n.promote[0];
        if (primary && primary !== self) await attach(ctx, primary);
        break;
      }
      case 'post-start': {
        // A replica that just started follows the primary, if there is one and it is not this node.
        const primary = n.promoted.find((node) => node !== self && !n.demote.includes(node));
        if (primary && n.start.includes(self)) await attach(ctx, primary);
        break;
      }
      default:
        break;
    }
  } catch (error) {
    ctx.log.warn(`notify ${n.type}-${n.operation}: ${(error as Error).message}`);
  }
  return OCF.SUCCESS;
}

/** stop, promotable: the score goes first, so the scheduler never promotes an instance being stopped. */
export async function beforeStop(ctx: Ctx): Promise<void> {
  await setPromotionScore(ctx.env, undefined, ctx.deadline, ctx.log, true);
  await setNodeFlag(ctx.env, ctx.params.reader_attribute, false, ctx.deadline, ctx.log, true);
  forgetWrittenAttributes(ctx.env);
}
