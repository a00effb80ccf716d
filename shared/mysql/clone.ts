/**
 * What a promotable clone of ocf:tsha:mysql is made of, shared by its actions: whether the resource is
 * one, the names of its cluster attributes and state files, its SQL sessions as replication_user, and
 * how its instances reach each other.
 */
import { join } from 'node:path';
import type { ActionContext } from '../ocf/agent.ts';
import type { OcfEnvironment } from '../ocf/environment.ts';
import { baseName, nodeAttribute } from '../cluster/attributes.ts';
import { connect, type SqlSession } from './client.ts';
import { endpointOf } from './instance.ts';
import type { MysqlParameters } from './parameters.ts';
import type { SourceSpec } from './replication-sql.ts';
import { replicationOf, type Replication } from './replication.ts';

export type Ctx = ActionContext<MysqlParameters>;

export function isPromotable(env: OcfEnvironment): boolean {
  return env.meta.get('promotable') === 'true' || env.meta.has('promoted_max') || env.meta.has('master_max');
}

/** The clone's resource name ("db" for instance "db:1"): every attribute below is named after it. */
export const rsc = (ctx: Ctx) => baseName(ctx.env.instance);
/** Private node attribute: each instance's position, published at pre-promote. */
export const gtidAttribute = (ctx: Ctx) => `${rsc(ctx)}-gtid`;
/** Private node attribute on the promoting node: the instances its promotion compares positions across. */
export const partitionAttribute = (ctx: Ctx) => `${rsc(ctx)}-partition`;
/** Cluster property: where the current primary took over ("<position>;<server id or uuid>"). */
export const forkProperty = (ctx: Ctx) => `${rsc(ctx)}-fork`;
/** Permanent node attribute the administrator sets: the address replicas use for that node. */
export const masterAddressAttribute = (ctx: Ctx) => `${rsc(ctx)}_mysql_master_IP`;
/** This node's marker of an instance held out for errant transactions (errant-marker.ts). */
export const errantFile = (ctx: Ctx) => join(ctx.env.stateDir, `tsha-${rsc(ctx)}.errant`);

/**
 * A local SQL session as replication_user: the account heartbeat/mysql manages replication with too
 * (SET GLOBAL read_only, CHANGE MASTER, KILL), so it needs more than REPLICATION SLAVE (privileges.ts).
 */
export async function replicationUserSession(ctx: Ctx): Promise<SqlSession> {
  const p = ctx.params;
  return connect(endpointOf(p), { user: p.replication_user, password: p.replication_passwd || undefined }, ctx.deadline);
}

export async function withReplicationUser<T>(ctx: Ctx, fn: (s: SqlSession) => Promise<T>): Promise<T> {
  const s = await replicationUserSession(ctx);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

/** A local session as replication_user, with the server's replication statements. */
export async function withReplication<T>(ctx: Ctx, fn: (r: Replication) => Promise<T>, version?: string): Promise<T> {
  return withReplicationUser(ctx, async (s) => fn(await replicationOf(s, version)));
}

/** The address replicas use for `node`: its `<rsc>_mysql_master_IP` attribute, else its name. */
export async function addressOf(ctx: Ctx, node: string): Promise<string> {
  return (await nodeAttribute(node, masterAddressAttribute(ctx), ctx.deadline)) ?? node;
}

/** How this instance replicates from `node`: its address, replication_port, the account and TLS files. */
export async function sourceFor(ctx: Ctx, node: string): Promise<SourceSpec> {
  const p = ctx.params;
  return {
    host: await addressOf(ctx, node),
    port: p.replication_port,
    user: p.replication_user,
    password: p.replication_passwd,
    ssl:
      p.replication_master_ssl_ca && p.replication_master_ssl_cert && p.replication_master_ssl_key
        ? { ca: p.replication_master_ssl_ca, cert: p.replication_master_ssl_cert, key: p.replication_master_ssl_key }
        : undefined,
  };
}
