/**
 * The promotable part of a monitor, once the server was found serving: which role the instance has and
 * how healthy it is (decide.ts), published as the promotion score and the reader attribute.
 */
import { GenericError, NotInstalledError } from '../ocf/errors.ts';
import { setPromotionScore, setNodeFlag } from '../cluster/attributes.ts';
import { assess, roleVerdict } from '../replication/decide.ts';
import { roleDecisionLine } from '../replication/decision-lines.ts';
import { formatPosition } from '../replication/position.ts';
import { SqlError, type SqlSession } from './client.ts';
import { withReplication, type Ctx } from './clone.ts';
import { heldOutReason } from './errant-marker.ts';
import { forgetSource, readInstanceState, replicationOf, type ObservedState } from './replication.ts';

export interface RoleReport {
  readonly role: 'primary' | 'replica';
  /** One line for the monitor's log note: role, source, position, score. */
  readonly note: string;
}

/**
 * The instance's replication state. A depth-10 monitor hands over its open test_user session: reading
 * the state needs only replication-client privileges, which test_user usually has (the seed's is root),
 * so one session serves the whole monitor. Where test_user lacks them, replication_user reads it, as
 * it does at depth 0. Forgetting a stale source writes, so it always goes through replication_user.
 */
async function readState(ctx: Ctx, version: string, shared: SqlSession | undefined): Promise<ObservedState> {
  let state: ObservedState | undefined;
  if (shared) {
    try {
      state = await readInstanceState(await replicationOf(shared, version));
      ctx.log.debug("replication state read over test_user's session");
    } catch (error) {
      if (!(error instanceof SqlError && error.privilegeDenied)) throw error;
      ctx.log.debug(`test_user cannot read the replication state (${error.message}); reading it as replication_user`);
    }
  }
  state ??= await withReplication(ctx, readInstanceState, version);
  // A primary still holding its old source (its IO thread was stopping at promote) forgets it now.
  if (!state.readOnly && state.replica.configured) await withReplication(ctx, forgetSource, version);
  return state;
}

/**
 * Reads the role and publishes the score and readability it earns; a held-out or broken instance loses
 * both and fails. `version` is the server's, from the greeting the monitor already read; `shared`, a
 * session the monitor already holds (readState).
 */
export async function assessAndPublishRole(ctx: Ctx, version: string, shared?: SqlSession): Promise<RoleReport> {
  const held = heldOutReason(ctx);
  if (held !== undefined) {
    await setPromotionScore(ctx.env, undefined, ctx.deadline, ctx.log);
    // A hard error (5: this node's data cannot serve): Pacemaker stops the instance and keeps it off
    // this node until the operator, having resolved it, runs crm_resource --cleanup. A soft error (1)
    // would restart it every few seconds, each start refusing again.
    throw new NotInstalledError(held);
  }
  const state = await readState(ctx, version, shared);
  const health = assess(state, ctx.params.max_slave_lag);
  const verdict = roleVerdict(health, {
    evictOutdated: ctx.params.evict_outdated_slaves,
    replicating: state.replica.configured,
    lag: state.replica.secondsBehind,
    maxLag: ctx.params.max_slave_lag,
  });
  // HA_debug=1: what the decision saw and what it decided (decide.ts says why).
  ctx.log.debug(roleDecisionLine(state, { maxLag: ctx.params.max_slave_lag, evict: ctx.params.evict_outdated_slaves }, health, verdict));
  if (verdict.kind === 'failed') {
    // Never promotable, never read from: both go before the failure is reported.
    await setPromotionScore(ctx.env, undefined, ctx.deadline, ctx.log);
    await setNodeFlag(ctx.env, ctx.params.reader_attribute, false, ctx.deadline, ctx.log, ctx.probe);
    throw new GenericError(verdict.reason);
  }
  await setNodeFlag(ctx.env, ctx.params.reader_attribute, verdict.readable, ctx.deadline, ctx.log, ctx.probe);
  await setPromotionScore(ctx.env, verdict.score, ctx.deadline, ctx.log, ctx.probe);
  const at = formatPosition(state.position) || 'an empty position';
  return verdict.kind === 'primary'
    ? { role: 'primary', note: `primary at ${at}` }
    : { role: 'replica', note: `replica of ${state.replica.masterHost || 'no one yet'} at ${at}, score ${verdict.score}` };
}
