/** validate-all and the check before every action, for the promotable clone's own settings. */
import type { ValidationScope } from '../ocf/agent.ts';
import { net } from '../ocf/builtins.ts';
import { ArgsError, ConfigurationError, GenericError, PermissionError } from '../ocf/errors.ts';
import { configurableServerId, configuredServerId } from '../replication/server-id.ts';
import { nodeAttribute } from '../cluster/attributes.ts';
import { runCommand } from '../process/command.ts';
import { isPromotable, masterAddressAttribute, withReplicationUser, type Ctx } from './clone.ts';
import { parseServerVersion } from './dialect.ts';
import { readGreeting } from './greeting.ts';
import { missingPrivileges } from './privileges.ts';
import { serverStatus } from './status.ts';

/**
 * The clone's settings a promotable MySQL needs, checked with the values (check level 0); at level 10,
 * validate-all also checks the replication account's privileges on this server when it runs.
 */
export async function validatePromotable(ctx: Ctx, scope: ValidationScope): Promise<void> {
  if (ctx.params.client_vip !== '' && net().isIP(ctx.params.client_vip) === 0)
    throw new ConfigurationError(`client_vip must be an IP address (the VIP that follows the primary), got ${ctx.params.client_vip}`);
  if (!isPromotable(ctx.env)) return;
  if (ctx.env.meta.get('notify') !== 'true') {
    throw new ConfigurationError('the promotable clone needs meta notify=true: replicas re-point at a new primary in post-promote');
  }
  const max = ctx.env.meta.get('promoted_max') ?? ctx.env.meta.get('master_max') ?? '1';
  if (max !== '1')
    throw new ConfigurationError(`the promotable clone needs promoted-max=1 (master-max), got ${max}: one writable primary only`);
  if (scope !== 'local' || ctx.action !== 'validate-all') return;
  const status = await serverStatus(ctx.params, ctx.deadline).catch(() => undefined);
  if (status?.kind !== 'serving') {
    ctx.log.info('validate-all: the server is not running here; replication privileges not checked');
    return;
  }
  const { missing, serverId } = await withReplicationUser(ctx, async (s) => {
    const rows = await s.query<Record<string, string>[]>('SHOW GRANTS');
    const [id] = await s.query<{ id: number }[]>('SELECT @@global.server_id AS id');
    return {
      missing: missingPrivileges(
        rows.map((r) => Object.values(r)[0] ?? ''),
        parseServerVersion(status.version),
      ),
      serverId: configuredServerId(Number(id?.id ?? 0)),
    };
  }).catch((error: unknown) => {
    throw new GenericError(`validate-all: cannot connect as replication_user ${ctx.params.replication_user}: ${(error as Error).message}`, {
      cause: error,
    });
  });
  // A replica runs under its configured server_id + 2^31 (server-id.ts): the configured one must leave room.
  if (!configurableServerId(serverId)) {
    throw new ArgsError(`server_id ${serverId} cannot replicate under tsha: configure one from 1 to 2147483647, unique per instance`);
  }
  if (missing.length > 0) {
    throw new PermissionError(`replication_user ${ctx.params.replication_user} lacks ${missing.join(', ')} on this server`);
  }
  await checkMasterAddresses(ctx);
}

const HOST = /^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-fA-F:]+|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$/;

/**
 * validate-all: every node's `<rsc>_mysql_master_IP` must be an address (6 otherwise: replicas would
 * point at garbage on every node), and is tried on replication_port; one that does not answer is
 * logged, not fatal — its node may simply be down.
 */
async function checkMasterAddresses(ctx: Ctx): Promise<void> {
  const nodes = await runCommand('crm_node', ['--list'], ctx.deadline, 5000);
  if (nodes.exitCode !== 0) return;
  for (const line of nodes.stdout.trim().split('\n')) {
    const node = line.trim().split(/\s+/)[1];
    if (!node) continue;
    const address = await nodeAttribute(node, masterAddressAttribute(ctx), ctx.deadline);
    if (address === undefined) continue;
    if (!HOST.test(address)) {
      throw new ConfigurationError(
        `node attribute ${masterAddressAttribute(ctx)} of ${node} is not an address: ${JSON.stringify(address)}`,
      );
    }
    const g = await readGreeting({ host: address, port: ctx.params.replication_port }, ctx.deadline.budget(2000, 'address check'));
    if (g.kind !== 'handshake')
      ctx.log.warn(`${node}'s replication address ${address}:${ctx.params.replication_port} does not answer (${g.kind})`);
  }
}
