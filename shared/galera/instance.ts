/**
 * What every action of ocf:tsha:galera shares: the names of its attributes and state files, its SQL
 * session as check_user, and the server options that put it in the cluster.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionContext } from '../ocf/agent.ts';
import { baseName } from '../cluster/attributes.ts';
import { connect, type SqlSession } from '../mysql/client.ts';
import { endpointOf } from '../mysql/instance.ts';
import type { GaleraParameters } from './parameters.ts';
import { expectedNodes, parseHostMap } from './members.ts';

export type Ctx = ActionContext<GaleraParameters>;

export const rsc = (ctx: Ctx) => baseName(ctx.env.instance);
/** Private node attribute: the node's position while its server is stopped (Unpromoted). */
export const positionAttribute = (ctx: Ctx) => `${rsc(ctx)}-position`;
/**
 * Cluster property per member left out of a bootstrap: "<uuid>:<seqno>" of the bootstrap. That member
 * must not rejoin by IST from past that seqno (it would hold transactions the cluster never saw).
 */
export const exclusionProperty = (ctx: Ctx, node: string) => `${rsc(ctx)}-bootstrapped-without-${node}`;
/**
 * This node's instance is started (Unpromoted: server stopped, position published); it holds the
 * position this node reported, which its own decisions read even where attrd does not answer. Gone at reboot.
 */
export const startedMarker = (ctx: Ctx) => join(ctx.env.stateDir, `tsha-${rsc(ctx)}.started`);
export const recoveryLog = (ctx: Ctx) => join(ctx.env.stateDir, `tsha-${rsc(ctx)}.wsrep-recover.log`);

export const isStarted = (ctx: Ctx) => existsSync(startedMarker(ctx));

export function members(ctx: Ctx): string[] {
  return expectedNodes(ctx.params.wsrep_cluster_address, parseHostMap(ctx.params.cluster_host_map).map);
}

/** Options that put the server in the cluster: the address always, a new primary component when bootstrapping. */
export function clusterArguments(ctx: Ctx, bootstrap: boolean): string[] {
  return [`--wsrep-cluster-address=${ctx.params.wsrep_cluster_address}`, ...(bootstrap ? ['--wsrep-new-cluster'] : [])];
}

export async function checkSession(ctx: Ctx): Promise<SqlSession> {
  const p = ctx.params;
  return connect(endpointOf(p), { user: p.check_user, password: p.check_passwd || undefined }, ctx.deadline, 5000);
}

export async function withCheckSession<T>(ctx: Ctx, fn: (s: SqlSession) => Promise<T>): Promise<T> {
  const s = await checkSession(ctx);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}
