/**
 * monitor. Depth 0: the pid is a live server that greets on its socket (as ocf:tsha:mysql); a running
 * member must also be Synced (or donor: 191) in a primary component, and publishes the writer flag. A
 * stopped member is Unpromoted while its instance is started, and decides who bootstraps.
 */
import { asText } from '../ocf/log.ts';
import { ownNodeName, readPartition } from '../cluster/membership.ts';
import type { Outcome } from '../ocf/agent.ts';
import { GenericError } from '../ocf/errors.ts';
import { OCF } from '../ocf/exit-codes.ts';
import { SqlError } from '../mysql/client.ts';
import { serverStatus } from '../mysql/status.ts';
import { setPromotionScore } from '../cluster/attributes.ts';
import { assessMember, PROMOTED_SCORE } from './decide.ts';
import { checkSession, isStarted, members, type Ctx } from './instance.ts';
import { describeVerdict, scoreFromDecision, setWritable } from './scores.ts';
import { readWsrepStatus } from './wsrep.ts';

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
    ctx.log.debug(`member decision: wsrep ${asText(s)} -> ${asText(verdict)}`);
    if (verdict.kind === 'failed') {
      await setWritable(ctx, false);
      if (s.clusterStatus !== 'Primary' && (await mayReformInPlace(ctx))) {
        // two_node_mode, peer offline (fenced): this node is all there is; re-form the primary component here.
        await session.query("SET GLOBAL wsrep_provider_options = 'pc.bootstrap=YES'");
        ctx.log.warn('two_node_mode: the peer is offline; re-formed the primary component here (pc.bootstrap)');
        return { code: OCF.DEGRADED_PROMOTED, reason: 're-formed the primary component alone (two_node_mode, peer offline)' };
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

/** two_node_mode, a two-member cluster, this partition quorate and the peer not in it. */
async function mayReformInPlace(ctx: Ctx): Promise<boolean> {
  if (!ctx.params.two_node_mode || members(ctx).length !== 2) return false;
  const self = await ownNodeName(ctx.env, ctx.deadline);
  const partition = await readPartition(self, ctx.env.meta.has('on_node'), ctx.deadline);
  return partition.quorate && partition.members.length > 0 && members(ctx).every((n) => n === self || !partition.members.includes(n));
}
