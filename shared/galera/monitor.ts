/**
 * monitor. Depth 0: the pid is a live server that greets on its socket (as ocf:tsha:mysql); a running
 * member must also be Synced (or donor: 191) in a primary component, and publishes the writer flag. A
 * stopped member is Unpromoted while its instance is started, and decides who bootstraps.
 */
import { cleanlyOfflineNodes, ownNodeName, readPartition } from '../cluster/membership.ts';
import type { Outcome } from '../ocf/agent.ts';
import { Deadline } from '../ocf/deadline.ts';
import { GenericError } from '../ocf/errors.ts';
import { OCF } from '../ocf/exit-codes.ts';
import { SqlError } from '../mysql/client.ts';
import { serverStatus } from '../mysql/status.ts';
import { setPromotionScore } from '../cluster/attributes.ts';
import { assessMember, peerFenceVerdict, PROMOTED_SCORE } from './decide.ts';
import { memberDecisionLine } from './decision-lines.ts';
import { checkSession, isStarted, members, type Ctx } from './instance.ts';
import { describeVerdict, scoreFromDecision, setWritable } from './scores.ts';
import { readWsrepStatus } from './wsrep.ts';

/** How long a monitor waits for Pacemaker to fence a two_node_mode peer that left, before reporting the failure. */
const FENCE_WAIT_MS = 15_000;
/** How long it waits for the re-formed component to be Synced before it sets the writer flag. */
const SYNC_WAIT_MS = 5_000;

const promotedRole = (ctx: Ctx) => ['Promoted', 'Master'].includes(ctx.env.meta.get('role') ?? '');

export async function monitor(ctx: Ctx): Promise<Outcome> {
  const status = await serverStatus(ctx.params, ctx.deadline);
  if (status.kind === 'stopped') {
    // A Promoted member whose server is gone crashed: a failure, never "not running".
    if (promotedRole(ctx)) throw new GenericError(`mysqld is gone: ${status.detail}`);
    if (!isStarted(ctx)) return { code: OCF.NOT_RUNNING, note: status.detail };
    if (ctx.probe) return { code: OCF.SUCCESS, note: 'Unpromoted (server stopped, position published)' };
    const self = await ownNodeName(ctx.env, ctx.deadline);
    const verdict = await scoreFromDecision(ctx, self);
    // Waiting is the state an operator must see in crm_mon: 190 carries the reason there.
    if (verdict.kind === 'wait') return { code: OCF.DEGRADED, reason: describeVerdict(verdict, self) };
    return { code: OCF.SUCCESS, note: `Unpromoted; ${describeVerdict(verdict, self)}` };
  }
  if (status.kind === 'saturated') {
    return { code: OCF.DEGRADED_PROMOTED, reason: `mysqld (pid ${status.process.pid}) turns clients away: ${status.message}` };
  }
  let session;
  try {
    session = await checkSession(ctx);
    const s = await readWsrepStatus(session);
    const verdict = assessMember(s);
    ctx.log.debug(memberDecisionLine(s, verdict));
    if (verdict.kind === 'failed') {
      await setWritable(ctx, false);
      if (s.clusterStatus !== 'Primary' && (await peerFenced(ctx))) {
        // two_node_mode, the peer fenced: this node is all there is; re-form the primary component here.
        await session.query("SET GLOBAL wsrep_provider_options = 'pc.bootstrap=YES'");
        ctx.log.warn('two_node_mode: the peer was fenced; re-formed the primary component here (pc.bootstrap)');
        // Writable again as soon as it is Synced, not at the next monitor: the writer VIP follows the flag.
        const open = session;
        const synced = await new Deadline(Math.min(SYNC_WAIT_MS, ctx.deadline.remaining()))
          .until(
            'Synced after pc.bootstrap',
            async () => (assessMember(await readWsrepStatus(open)).kind === 'synced' ? true : undefined),
            200,
          )
          .catch(() => false);
        await setWritable(ctx, synced);
        return { code: OCF.DEGRADED_PROMOTED, reason: 're-formed the primary component alone (two_node_mode, peer fenced)' };
      }
      throw new GenericError(verdict.reason);
    }
    await setWritable(ctx, verdict.kind === 'synced');
    await setPromotionScore(ctx.env, PROMOTED_SCORE, ctx.deadline, ctx.log, ctx.probe);
    if (verdict.kind === 'degraded') return { code: OCF.DEGRADED_PROMOTED, reason: verdict.reason };
    return { code: OCF.RUNNING_PROMOTED, note: `running (pid ${status.process.pid}, ${status.version}); ${verdict.note}` };
  } catch (error) {
    if (!(error instanceof SqlError)) throw error;
    if (error.accessDenied) {
      throw new GenericError(`check_user ${ctx.params.check_user} was denied access; check check_user and check_passwd`, { cause: error });
    }
    throw new GenericError(`reading wsrep status failed: ${error.message}`, { cause: error });
  } finally {
    session?.close();
  }
}

/**
 * two_node_mode, a two-member cluster whose peer left this (quorate) partition: waits a bounded time for
 * Pacemaker to fence it. A peer that only left the partition may still run, and may be re-forming its
 * own primary component at this moment; once fenced (crm_mon: offline, not unclean) it cannot.
 */
async function peerFenced(ctx: Ctx): Promise<boolean> {
  if (!ctx.params.two_node_mode || members(ctx).length !== 2) return false;
  const self = await ownNodeName(ctx.env, ctx.deadline);
  const peer = members(ctx).find((n) => n !== self);
  if (peer === undefined) return false;
  // Leave the monitor time to re-form and report after the wait.
  const wait = new Deadline(Math.max(0, Math.min(FENCE_WAIT_MS, ctx.deadline.remaining() - SYNC_WAIT_MS)));
  const fenced = await wait
    .until(
      `${peer} to be fenced`,
      async () => {
        const [partition, offline] = await Promise.all([
          readPartition(self, ctx.env.meta.has('on_node'), ctx.deadline),
          cleanlyOfflineNodes(ctx.deadline),
        ]);
        return peerFenceVerdict(self, peer, partition, offline);
      },
      500,
    )
    .catch(() => false);
  if (!fenced) ctx.log.info(`two_node_mode: ${peer} is not fenced (or still a member); not re-forming the primary component here`);
  return fenced;
}
