/** The agent's actions: the standalone broker (broker.ts) or, in clone mode, a cluster member (cluster.ts). */
import type { ActionContext, Outcome, ValidationScope } from '../ocf/agent.ts';
import { ConfigurationError, GenericError } from '../ocf/errors.ts';
import { parseHostMap } from '../cluster/host-map.ts';
import * as broker from './broker.ts';
import { cloneMode, clusteredMonitor, clusteredStart, clusteredStop } from './cluster.ts';
import { cli, failure } from './cli.ts';
import type { RabbitmqParameters } from './parameters.ts';
import { parsePolicy, policyArgs, type Policy } from './policy.ts';

type Ctx = ActionContext<RabbitmqParameters>;

export async function start(ctx: Ctx): Promise<Outcome> {
  const outcome = cloneMode(ctx) ? await clusteredStart(ctx) : await broker.start(ctx);
  if (ctx.params.set_policy !== '') await applyPolicy(ctx, parsePolicy(ctx.params.set_policy));
  return outcome;
}

/**
 * set_policy once the broker serves. A clone member that started while still booting (it waits for
 * the peers RabbitMQ needs) leaves it to the member whose start completes the cluster.
 */
async function applyPolicy(ctx: Ctx, policy: Policy): Promise<void> {
  const now = await broker.status(ctx);
  if (now.kind !== 'serving') {
    ctx.log.info(`set_policy ${policy.name}: not applied by this start, the broker is still booting (the next member's start applies it)`);
    return;
  }
  const target = { params: ctx.params, home: broker.prepareHome(ctx.params) };
  const r = await cli(target, 'rabbitmqctl', ctx.params.nodename, policyArgs(policy), ctx.deadline, 30_000);
  // RabbitMQ says "Validation failed" on one line and what it refused on the next.
  if (r.exitCode !== 0) throw new GenericError(`set_policy ${policy.name} failed: ${failure(r, 2)}`);
  ctx.log.info(`set_policy ${policy.name} ${policy.pattern} ${policy.definition}: applied`);
}
export const stop = (ctx: Ctx): Promise<Outcome> => (cloneMode(ctx) ? clusteredStop(ctx) : broker.stop(ctx));
export const monitor = (ctx: Ctx): Promise<Outcome> => (cloneMode(ctx) ? clusteredMonitor(ctx) : broker.monitor(ctx));

export async function validate(ctx: Ctx, scope: ValidationScope): Promise<void> {
  const { bad } = parseHostMap(ctx.params.cluster_host_map);
  if (bad.length > 0) throw new ConfigurationError(`cluster_host_map has malformed node:host pairs: ${bad.join('; ')}`);
  if (ctx.params.erlang_cookie_file !== '' && !ctx.params.erlang_cookie_file.startsWith('/'))
    throw new ConfigurationError(
      `parameter erlang_cookie_file must be an absolute path, got ${JSON.stringify(ctx.params.erlang_cookie_file)}`,
    );
  if (ctx.params.set_policy !== '') {
    try {
      parsePolicy(ctx.params.set_policy);
    } catch (error) {
      throw new ConfigurationError((error as Error).message, { cause: error });
    }
  }
  await broker.validate(ctx, scope);
}
