/**
 * start and stop. Unpromoted is Galera's stopped state: the server is down and the node's position is
 * published, so the bootstrap decision can compare every member before any server runs.
 */
import { rmSync } from 'node:fs';
import { forgetWrittenAttributes, setPromotionScore } from '../cluster/attributes.ts';
import { ownNodeName } from '../cluster/membership.ts';
import type { Outcome } from '../ocf/agent.ts';
import { OCF } from '../ocf/exit-codes.ts';
import { stopServer } from '../mysql/lifecycle.ts';
import { serverStatus } from '../mysql/status.ts';
import { startedMarker, type Ctx } from './instance.ts';
import { detectPosition, forgetPosition, publishPosition } from './position.ts';
import { describeReport } from './report.ts';
import { describeVerdict, scoreFromDecision, setWritable } from './scores.ts';

/** Idempotent: a running server is left alone (the monitor reports its role); otherwise report the position. */
export async function start(ctx: Ctx): Promise<Outcome> {
  const status = await serverStatus(ctx.params, ctx.deadline);
  if (status.kind !== 'stopped') return { code: OCF.SUCCESS, note: `mysqld already running (pid ${status.process.pid})` };
  const self = await ownNodeName(ctx.env, ctx.deadline);
  forgetWrittenAttributes(ctx.env);
  const report = await detectPosition(ctx, self);
  await publishPosition(ctx, report);
  await setWritable(ctx, false, true);
  const verdict = await scoreFromDecision(ctx, self);
  ctx.log.info(`${self} reports ${describeReport(report)}; ${describeVerdict(verdict, self)}`);
  return { code: OCF.SUCCESS, note: `Unpromoted: server stopped, position ${describeReport(report)}` };
}

/** Stops the server if it runs; reads no monitoring input, so it cannot fail on one. */
export async function stop(ctx: Ctx): Promise<Outcome> {
  const how = await stopServer(ctx);
  await settleStopped(ctx);
  rmSync(startedMarker(ctx), { force: true });
  await forgetPosition(ctx);
  return { code: OCF.SUCCESS, note: how };
}

/** A member whose server is down takes no writes and has no promotion score until it decides again. */
export async function settleStopped(ctx: Ctx): Promise<void> {
  await setWritable(ctx, false, true);
  await setPromotionScore(ctx.env, undefined, ctx.deadline, ctx.log, true);
}
