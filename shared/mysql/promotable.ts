/**
 * ocf:tsha:mysql as a promotable clone: roles, promotion scores, promote/demote and notifications.
 * Decisions are the pure functions of shared/replication/decide.ts; this file does the I/O around them.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionContext, Outcome, ValidationScope } from '../ocf/agent.ts';
import type { OcfEnvironment } from '../ocf/environment.ts';
import { ConfigurationError, GenericError, PermissionError } from '../ocf/errors.ts';
import { OCF } from '../ocf/exit-codes.ts';
import {
  baseName, clusterProperty, forgetPrivate, forgetWrittenAttributes, nodeAttribute, publishPrivate, queryPrivateAll, setClusterProperty,
  setPromotionScore, setReadable,
} from '../cluster/attributes.ts';
import { assess, mayFollow, mayPromote, ownTransactionsToFetch, replicationError, roleVerdict, SCORE, type ForkPoint } from '../replication/decide.ts';
import { comparePositions, formatPosition, parsePosition, reachablePosition, type Flavor, type Position } from '../replication/gtid.ts';
import { readNotifyEnv, runningAfterTransition } from '../replication/notify-env.ts';
import { runCommand } from '../process/command.ts';
import { connect, type SqlSession } from './client.ts';
import { readGreeting } from './greeting.ts';
import { parseServerVersion } from './dialect.ts';
import { endpointOf } from './instance.ts';
import { missingPrivileges } from './privileges.ts';
import { serverStatus } from './status.ts';
import type { MysqlParameters } from './parameters.ts';
import {
  applyReceived, becomeReadOnly, enableSemiSync, follow, forgetSource, readInstanceState, replicationOf, resumeApplying, setReadOnly,
  stopApplying, stopReceivingInBackground, writeAsItself, type Replication, type Source,
} from './replication.ts';

type Ctx = ActionContext<MysqlParameters>;

export function isPromotable(env: OcfEnvironment): boolean {
  return env.meta.get('promotable') === 'true' || env.meta.has('promoted_max') || env.meta.has('master_max');
}

const rsc = (ctx: Ctx) => baseName(ctx.env.instance);
const gtidAttribute = (ctx: Ctx) => `${rsc(ctx)}-gtid`;
/** On the promoting node: the instances its promotion compares positions across (mayPromote). */
const partitionAttribute = (ctx: Ctx) => `${rsc(ctx)}-partition`;
const forkProperty = (ctx: Ctx) => `${rsc(ctx)}-fork`;
const errantFile = (ctx: Ctx) => join(process.env.HA_RSCTMP || '/run/resource-agents', `tsha-${rsc(ctx)}.errant`);

/**
 * The clone's settings a promotable MySQL needs, checked with the values (check level 0); at level 10,
 * validate-all also checks the replication account's privileges on this server when it runs.
 */
export async function validatePromotable(ctx: Ctx, scope: ValidationScope): Promise<void> {
  if (!isPromotable(ctx.env)) return;
  if (ctx.env.meta.get('notify') !== 'true') {
    throw new ConfigurationError('the promotable clone needs meta notify=true: replicas re-point at a new primary in post-promote');
  }
  const max = ctx.env.meta.get('promoted_max') ?? ctx.env.meta.get('master_max') ?? '1';
  if (max !== '1') throw new ConfigurationError(`the promotable clone needs promoted-max=1 (master-max), got ${max}: one writable primary only`);
  if (scope !== 'local' || ctx.action !== 'validate-all') return;
  const status = await serverStatus(ctx.params, ctx.deadline).catch(() => undefined);
  if (status?.kind !== 'serving') {
    ctx.log.info('validate-all: the server is not running here; replication privileges not checked');
    return;
  }
  const missing = await withAdmin(ctx, async (s) => {
    const rows = await s.query<Record<string, string>[]>('SHOW GRANTS');
    return missingPrivileges(rows.map((r) => Object.values(r)[0] ?? ''), parseServerVersion(status.version));
  }).catch((error: unknown) => {
    throw new GenericError(`validate-all: cannot connect as replication_user ${ctx.params.replication_user}: ${(error as Error).message}`, { cause: error });
  });
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
    const address = await nodeAttribute(node, `${rsc(ctx)}_mysql_master_IP`, ctx.deadline);
    if (address === undefined) continue;
    if (!HOST.test(address)) {
      throw new ConfigurationError(`node attribute ${rsc(ctx)}_mysql_master_IP of ${node} is not an address: ${JSON.stringify(address)}`);
    }
    const g = await readGreeting({ host: address, port: ctx.params.replication_port }, ctx.deadline.budget(2000, 'address check'));
    if (g.kind !== 'handshake') ctx.log.warn(`${node}'s replication address ${address}:${ctx.params.replication_port} does not answer (${g.kind})`);
  }
}

/** A local SQL session as replication_user, the account heartbeat/mysql uses for management too. */
async function admin(ctx: Ctx): Promise<SqlSession> {
  const p = ctx.params;
  return connect(endpointOf(p), { user: p.replication_user, password: p.replication_passwd || undefined }, ctx.deadline);
}

async function withAdmin<T>(ctx: Ctx, fn: (s: SqlSession) => Promise<T>): Promise<T> {
  const s = await admin(ctx);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

/** A local session as replication_user, with the server's replication statements. */
async function withReplication<T>(ctx: Ctx, fn: (r: Replication) => Promise<T>, version?: string): Promise<T> {
  return withAdmin(ctx, async (s) => fn(await replicationOf(s, version)));
}

/** The current primary's fork point (cluster property "<position>;<source>"), read in this server's flavour. */
async function forkPoint(ctx: Ctx, flavor: Flavor): Promise<ForkPoint | undefined> {
  const value = await clusterProperty(forkProperty(ctx), ctx.deadline);
  if (!value) return undefined;
  const [position, source] = value.split(';');
  return { position: parsePosition(position ?? '', flavor), source: flavor === 'mysql' ? source ?? '' : Number(source) };
}

/**
 * Depth-0 part of a promotable monitor, after the server was found serving: role, health, score.
 * `version` is the server's, from the greeting the monitor already read.
 */
export async function monitorRole(ctx: Ctx, version: string): Promise<Outcome> {
  if (existsSync(errantFile(ctx))) {
    await setPromotionScore(ctx.env.instance, undefined, ctx.deadline, ctx.log);
    throw new GenericError(readFileSync(errantFile(ctx), 'utf8').trim());
  }
  const state = await withReplication(ctx, async (r) => {
    const st = await readInstanceState(r);
    // A primary still holding its old source (its IO thread was stopping at promote) forgets it now.
    if (!st.readOnly && st.replica.configured) await forgetSource(r);
    return st;
  }, version);
  const verdict = roleVerdict(assess(state, ctx.params.max_slave_lag), {
    evictOutdated: ctx.params.evict_outdated_slaves, replicating: state.replica.configured,
    lag: state.replica.secondsBehind, maxLag: ctx.params.max_slave_lag,
  });
  if (verdict.kind === 'failed') {
    // Never promotable, never read from: both go before the failure is reported.
    await setPromotionScore(ctx.env.instance, undefined, ctx.deadline, ctx.log);
    await setReadable(ctx.env.instance, ctx.params.reader_attribute, false, ctx.deadline, ctx.log, ctx.probe);
    throw new GenericError(verdict.reason);
  }
  await setReadable(ctx.env.instance, ctx.params.reader_attribute, verdict.readable, ctx.deadline, ctx.log, ctx.probe);
  await setPromotionScore(ctx.env.instance, verdict.score, ctx.deadline, ctx.log, ctx.probe);
  const at = formatPosition(state.position) || 'an empty position';
  return verdict.kind === 'primary'
    ? { code: OCF.RUNNING_PROMOTED, note: `primary at ${at}` }
    : { code: OCF.SUCCESS, note: `replica of ${state.replica.masterHost || 'no one yet'} at ${at}, score ${verdict.score}` };
}

/** start, promotable: the instance comes up read-only (a replica); notifications attach it. */
export async function startAsReplica(ctx: Ctx): Promise<void> {
  await withReplication(ctx, async (r) => {
    await setReadOnly(r, true);
    if (ctx.params.semi_sync) await enableSemiSync(r);
  });
  forgetWrittenAttributes(ctx.env.instance);
  await setPromotionScore(ctx.env.instance, SCORE.IDLE, ctx.deadline, ctx.log, true);
  await setReadable(ctx.env.instance, ctx.params.reader_attribute, false, ctx.deadline, ctx.log, true);
}

export async function promote(ctx: Ctx): Promise<Outcome> {
  return withReplication(ctx, async (r) => {
    const state = await readInstanceState(r);
    if (!state.readOnly) {
      ctx.log.info('promote: already the primary');
      return { code: OCF.SUCCESS, note: 'already primary' };
    }
    // A replication error disqualifies; a SQL thread merely stopped (say, by a promote that failed
    // later) does not: applying resumes below.
    const error = state.replica.configured ? replicationError(state.replica) : undefined;
    if (error) throw new GenericError(`refusing to promote a broken replica: ${error}`);
    const self = ctx.env.meta.get('on_node') ?? '';
    const mine = reachablePosition(state.position, state.received);
    const [partition, published] = await promotionPartition(ctx, r.dialect.flavor);
    // The most advanced instance of this partition wins: positions compared now (decide.ts).
    const verdict = mayPromote({ node: self, position: mine }, partition, published);
    if (!verdict.promote) {
      await setPromotionScore(ctx.env.instance, SCORE.IDLE, ctx.deadline, ctx.log, true);
      throw new GenericError(`refusing to promote: ${verdict.reason}`);
    }
    if (state.replica.configured) {
      // Everything received is applied before the first write is accepted; then nothing more is applied.
      // Events this server wrote itself and got back are never re-applied: only a received position
      // ahead of what it has counts.
      if (!state.replica.sqlRunning) await resumeApplying(r);
      const order = comparePositions(state.received, state.position);
      if (order === 'ahead' || order === 'diverged') await applyReceived(r, formatPosition(state.received), ctx.deadline);
      await stopApplying(r);
      // The IO thread stops in the background; the primary's monitor forgets the source afterwards.
      const stopper = await admin(ctx);
      stopReceivingInBackground(stopper, r.sql);
      // Long enough for the statement to leave this process; the server finishes it on its own.
      await ctx.deadline.sleep(20);
      stopper.close();
    }
    // Written from here on under its own server_id, which names its transactions (server-id.ts).
    await writeAsItself(r, state);
    const after = await readInstanceState(r);
    await setClusterProperty(forkProperty(ctx), `${formatPosition(after.position)};${after.source}`, ctx.deadline);
    if (ctx.params.semi_sync) await enableSemiSync(r);
    await setReadOnly(r, false);
    rmSync(errantFile(ctx), { force: true });
    await setPromotionScore(ctx.env.instance, SCORE.PRIMARY, ctx.deadline, ctx.log, true);
    return { code: OCF.SUCCESS, note: `primary from ${formatPosition(after.position) || 'an empty position'}` };
  });
}

/**
 * The partition recorded at this transition's pre-promote (this node alone when none was: a promotion
 * outside a notified transition, by hand) and the positions its members published then.
 */
async function promotionPartition(ctx: Ctx, flavor: Flavor): Promise<[string[], Map<string, Position>]> {
  const self = ctx.env.meta.get('on_node') ?? '';
  const recorded = (await queryPrivateAll(partitionAttribute(ctx), ctx.deadline)).get(self);
  const published = await queryPrivateAll(gtidAttribute(ctx), ctx.deadline);
  const positions = new Map<string, Position>();
  for (const [node, text] of published) if (text.startsWith(POSITION)) positions.set(node, parsePosition(text.slice(POSITION.length), flavor));
  return [recorded ? recorded.split(' ').filter(Boolean) : [self], positions];
}

/**
 * A published position is "position:<text>" (an empty instance's text is empty, and attrd drops empty
 * values); "unknown" is what an instance publishes when it cannot read its server: a member with no position.
 */
const POSITION = 'position:';
const UNKNOWN = 'unknown';

export async function demote(ctx: Ctx): Promise<Outcome> {
  await withReplication(ctx, async (setter) => {
    await withAdmin(ctx, async (killer) => {
      // read_only, and client sessions ended — at once if an open transaction holds read_only back:
      // a long query cannot hold demotion past the deadline.
      const ended = await becomeReadOnly(setter, killer, 1000);
      if (ended > 0) ctx.log.info(`demote: ended ${ended} client sessions`);
      // A promote that failed half-way may have stopped applying: a replica applies again.
      const state = await readInstanceState(setter);
      if (state.replica.configured && !state.replica.sqlRunning && !replicationError(state.replica)) await resumeApplying(setter);
    });
  });
  await setPromotionScore(ctx.env.instance, SCORE.IDLE, ctx.deadline, ctx.log, true);
  return OCF.SUCCESS;
}

/** The address replicas use for `node`: its `<rsc>_mysql_master_IP` attribute, else its name. */
async function addressOf(ctx: Ctx, node: string): Promise<string> {
  return (await nodeAttribute(node, `${rsc(ctx)}_mysql_master_IP`, ctx.deadline)) ?? node;
}

/** Points this replica at `primary`, unless it holds transactions the primary never had. */
async function attach(ctx: Ctx, primary: string): Promise<void> {
  const p = ctx.params;
  await withReplication(ctx, async (r) => {
    const fork = await forkPoint(ctx, r.dialect.flavor);
    const state = await readInstanceState(r);
    const verdict = mayFollow(state.position, fork);
    if (!verdict.follow) {
      const reason = `errant transactions ${verdict.errant.join(', ')} exist only here, not on primary ${primary}: ` +
        'not replicating over them; resolve by hand (re-clone this instance, or keep them and re-promote), then delete ' + errantFile(ctx);
      mkdirSync(join(errantFile(ctx), '..'), { recursive: true });
      writeFileSync(errantFile(ctx), `${reason}\n`);
      ctx.log.err(reason);
      return;
    }
    const source: Source = {
      host: await addressOf(ctx, primary),
      port: p.replication_port,
      user: p.replication_user,
      password: p.replication_passwd,
      ssl: p.replication_master_ssl_ca && p.replication_master_ssl_cert && p.replication_master_ssl_key
        ? { ca: p.replication_master_ssl_ca, cert: p.replication_master_ssl_cert, key: p.replication_master_ssl_key }
        : undefined,
    };
    const own = ownTransactionsToFetch(state.position, fork, state.source);
    if (own.length > 0) ctx.log.info(`${own.join(', ')} written here were lost here (crash recovery) and are on ${primary}: replicated back`);
    await setReadOnly(r, true);
    await follow(r, source);
    ctx.log.info(`replicating from ${primary} (${source.host}:${source.port})`);
  });
}

/** Notifications never fail (Pacemaker ignores the result): problems are logged and left to monitor. */
export async function notify(ctx: Ctx): Promise<Outcome> {
  const n = readNotifyEnv(ctx.env.meta);
  const self = ctx.env.meta.get('on_node') ?? '';
  try {
    switch (`${n.type}-${n.operation}`) {
      case 'pre-promote': {
        // Every instance publishes how far it is, for the promoting instance to compare; the promoting
        // one also records who was asked, so that only this partition's positions count (decide.ts).
        if (n.promote.includes(self)) await publishPrivate(partitionAttribute(ctx), runningAfterTransition(n).join(' '), ctx.deadline);
        const position = await withReplication(ctx, readInstanceState)
          .then((state) => POSITION + formatPosition(reachablePosition(state.position, state.received)))
          .catch((error: unknown) => {
            ctx.log.warn(`pre-promote: cannot read this instance's position (${(error as Error).message}): published as unknown`);
            return UNKNOWN;
          });
        await publishPrivate(gtidAttribute(ctx), position, ctx.deadline);
        break;
      }
      case 'post-promote': {
        // Positions and the partition served this promotion only; none is left for the next one to misread.
        await forgetPrivate(gtidAttribute(ctx), ctx.deadline);
        if (n.promote.includes(self)) await forgetPrivate(partitionAttribute(ctx), ctx.deadline);
        const primary = n.promote[0];
        if (primary && primary !== self) await attach(ctx, primary);
        break;
      }
      case 'post-start': {
        // A replica that just started follows the primary, if there is one and it is not this node.
        const primary = n.promoted.find((node) => node !== self && !n.demote.includes(node));
        if (primary && n.start.includes(self)) await attach(ctx, primary);
        break;
      }
      default:
        break;
    }
  } catch (error) {
    ctx.log.warn(`notify ${n.type}-${n.operation}: ${(error as Error).message}`);
  }
  return OCF.SUCCESS;
}

/** stop, promotable: the score goes first, so the scheduler never promotes an instance being stopped. */
export async function beforeStop(ctx: Ctx): Promise<void> {
  await setPromotionScore(ctx.env.instance, undefined, ctx.deadline, ctx.log, true);
  await setReadable(ctx.env.instance, ctx.params.reader_attribute, false, ctx.deadline, ctx.log, true);
  forgetWrittenAttributes(ctx.env.instance);
}
