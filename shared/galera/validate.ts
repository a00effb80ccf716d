import type { ValidationScope } from '../ocf/agent.ts';
import { ConfigurationError } from '../ocf/errors.ts';
import { validateServerLocal, validateServerValues } from '../mysql/validate.ts';
import type { Ctx } from './instance.ts';
import { clusterHosts, parseHostMap } from './members.ts';

/** Value checks (level 0): the server's paths, the cluster address and host map; then the node (level 10). */
export async function validate(ctx: Ctx, scope: ValidationScope): Promise<void> {
  const p = ctx.params;
  validateServerValues(p);
  if (clusterHosts(p.wsrep_cluster_address).length === 0) {
    throw new ConfigurationError(
      `parameter wsrep_cluster_address expects gcomm:// followed by the member hosts, got ${JSON.stringify(p.wsrep_cluster_address)}`,
    );
  }
  const { bad } = parseHostMap(p.cluster_host_map);
  if (bad.length > 0)
    throw new ConfigurationError(`parameter cluster_host_map expects node:host pairs separated by ;, got ${JSON.stringify(bad[0])}`);
  if (scope === 'parameters') return;
  validateServerLocal(p);
}
