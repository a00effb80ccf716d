/** The agent's actions: the standalone broker (broker.ts) or, in clone mode, a cluster member (cluster.ts). */
import type { ActionContext, Outcome, ValidationScope } from '../ocf/agent.ts';
import { ConfigurationError } from '../ocf/errors.ts';
import { parseHostMap } from '../cluster/host-map.ts';
import * as broker from './broker.ts';
import { cloneMode, clusteredMonitor, clusteredStart, clusteredStop } from './cluster.ts';
import type { RabbitmqParameters } from './parameters.ts';

type Ctx = ActionContext<RabbitmqParameters>;

export const start = (ctx: Ctx): Promise<Outcome> => (cloneMode(ctx) ? clusteredStart(ctx) : broker.start(ctx));
export const stop = (ctx: Ctx): Promise<Outcome> => (cloneMode(ctx) ? clusteredStop(ctx) : broker.stop(ctx));
export const monitor = (ctx: Ctx): Promise<Outcome> => (cloneMode(ctx) ? clusteredMonitor(ctx) : broker.monitor(ctx));

export async function validate(ctx: Ctx, scope: ValidationScope): Promise<void> {
  const { bad } = parseHostMap(ctx.params.cluster_host_map);
  if (bad.length > 0) throw new ConfigurationError(`cluster_host_map has malformed node:host pairs: ${bad.join('; ')}`);
  if (ctx.params.erlang_cookie_file !== '' && !ctx.params.erlang_cookie_file.startsWith('/'))
    throw new ConfigurationError(
      `parameter erlang_cookie_file must be an absolute path, got ${JSON.stringify(ctx.params.erlang_cookie_file)}`,
    );
  await broker.validate(ctx, scope);
}
