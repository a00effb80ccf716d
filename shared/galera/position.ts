/**
 * A stopped member's position: found (grastate.dat, else a bounded --wsrep-recover), checked against a
 * bootstrap that left this node out, and published for the others' bootstrap decision.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { clusterProperty, forgetPrivate, publishPrivate, queryPrivateAll } from '../cluster/attributes.ts';
import { cleanlyOfflineNodes, promotedNodes, readPartition } from '../cluster/membership.ts';
import { GenericError } from '../ocf/errors.ts';
import { chooseStartPosition, type ClusterView } from './decide.ts';
import { clusterArguments, exclusionProperty, members, positionAttribute, recoveryLog, rsc, startedMarker, type Ctx } from './instance.ts';
import { recoverPosition } from './recover.ts';
import { formatReport, isStateless, parseReport, type Report } from './report.ts';
import { NO_HISTORY, readGrastate, readGvwstate } from './state-files.ts';

const epochSeconds = () => Math.floor(Date.now() / 1000);

/** Moves Galera's state aside so the server joins by full state transfer (SST); the data stays until it arrives. */
function dropState(ctx: Ctx, why: string): void {
  const dir = ctx.params.datadir;
  ctx.log.warn(`${why}: grastate.dat moved aside, this node rejoins by full state transfer`);
  try {
    renameSync(join(dir, 'grastate.dat'), join(dir, 'grastate.dat.tsha-dropped'));
  } catch {
    // no grastate.dat: the server does a full state transfer anyway
  }
  rmSync(join(dir, 'gvwstate.dat'), { force: true });
}

/** The node's position from its own files, recovering it from InnoDB when grastate.dat does not say. */
async function findPosition(ctx: Ctx): Promise<Report> {
  const p = ctx.params;
  const grastate = readGrastate(p.datadir);
  const component = readGvwstate(p.datadir);
  const at = epochSeconds();
  if (!grastate || grastate.uuid === NO_HISTORY) return { uuid: NO_HISTORY, seqno: -1, safeToBootstrap: false, component: undefined, at };
  if (grastate.seqno >= 0) return { ...grastate, component, at };
  const cluster = clusterArguments(ctx, false);
  let recovered = await recoverPosition(p, recoveryLog(ctx), ctx.deadline, cluster);
  if (recovered.prepared > 0) {
    // Prepared XA transactions may have committed elsewhere: roll them back, and take no part in the
    // bootstrap choice with data that may miss them (heartbeat/galera learned this in #748).
    recovered = await recoverPosition(p, recoveryLog(ctx), ctx.deadline, [...cluster, '--tc-heuristic-recover=rollback']);
    dropState(ctx, `${recovered.prepared} prepared transactions were rolled back`);
    return { uuid: NO_HISTORY, seqno: -1, safeToBootstrap: false, component: undefined, at };
  }
  ctx.log.info(`recovered position ${recovered.uuid}:${recovered.seqno} from InnoDB (grastate.dat had seqno -1)`);
  return { uuid: recovered.uuid, seqno: recovered.seqno, safeToBootstrap: grastate.safeToBootstrap, component, at };
}

/**
 * The position this node reports. A bootstrap that left this node out recorded where the new history
 * began: holding more than that of the same history means holding transactions the cluster never had,
 * which IST would silently keep. Such a node drops its state and rejoins by SST.
 */
export async function detectPosition(ctx: Ctx, self: string): Promise<Report> {
  const found = await findPosition(ctx);
  if (isStateless(found)) return found;
  const exclusion = await clusterProperty(exclusionProperty(ctx, self), ctx.deadline);
  const m = exclusion ? /^([0-9a-f-]{36}):(-?\d+)$/.exec(exclusion) : null;
  if (m && m[1] === found.uuid && found.seqno > Number(m[2])) {
    dropState(
      ctx,
      `the cluster was bootstrapped without ${self} at seqno ${m[2]}, and ${self} holds ${found.seqno}: transactions ${Number(m[2]) + 1}..${found.seqno} exist only here`,
    );
    return { uuid: NO_HISTORY, seqno: -1, safeToBootstrap: false, component: undefined, at: found.at };
  }
  return found;
}

/** When the server's error log was last written (0: never): it is written whenever the server runs. */
function writtenMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * The --wsrep-start-position a server needs to keep its place in the history when grastate.dat does not
 * say it (chooseStartPosition): none when grastate.dat does, or when the data turns out to hold no state.
 */
export async function startPositionArguments(ctx: Ctx, self: string): Promise<string[]> {
  const choice = chooseStartPosition(readGrastate(ctx.params.datadir), ownReport(ctx), writtenMs(ctx.params.log));
  if (choice.kind === 'grastate') return [];
  let position = choice.kind === 'reported' ? choice.position : undefined;
  if (!position) {
    const found = await detectPosition(ctx, self);
    if (isStateless(found)) return [];
    position = `${found.uuid}:${found.seqno}`;
  }
  ctx.log.info(
    `starting at ${position} (grastate.dat has seqno -1): joining by IST where a donor still has the rest, bootstrapping in the same history`,
  );
  return [`--wsrep-start-position=${position}`];
}

/** Publishes the position for the others and keeps it in this node's started marker for itself. */
export async function publishPosition(ctx: Ctx, report: Report): Promise<void> {
  mkdirSync(dirname(startedMarker(ctx)), { recursive: true });
  writeFileSync(startedMarker(ctx), formatReport(report), { mode: 0o600 });
  if (!(await publishPrivate(positionAttribute(ctx), formatReport(report), ctx.deadline))) {
    // Outside a cluster (ocf-tester, by hand) there is no attrd: the start itself still stands.
    ctx.log.warn(`could not publish ${positionAttribute(ctx)}: the bootstrap decision will not see this node`);
  }
}

export async function forgetPosition(ctx: Ctx): Promise<void> {
  await forgetPrivate(positionAttribute(ctx), ctx.deadline);
}

/** The position this node reported at start or demote, while its instance is started. */
export function ownReport(ctx: Ctx): Report | undefined {
  try {
    return parseReport(readFileSync(startedMarker(ctx), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Everything the bootstrap decision reads, taken now. */
export async function readClusterView(ctx: Ctx, self: string): Promise<ClusterView> {
  const expected = members(ctx);
  // crm_mon only where the two_node_mode rule can use it; read alongside the rest, not after it.
  const twoNode = ctx.params.two_node_mode && expected.length === 2;
  const [partition, primary, positions, cleanlyOffline] = await Promise.all([
    readPartition(self, ctx.env.meta.has('on_node'), ctx.deadline),
    promotedNodes(rsc(ctx), ctx.deadline),
    queryPrivateAll(positionAttribute(ctx), ctx.deadline),
    twoNode ? cleanlyOfflineNodes(ctx.deadline) : Promise.resolve([]),
  ]);
  const reports = new Map<string, Report>();
  for (const [node, text] of positions) {
    const r = parseReport(text);
    if (r) reports.set(node, r);
  }
  // This node's own position is known here, whatever attrd says (or whether it answers).
  const own = ownReport(ctx);
  if (own) reports.set(self, own);
  else reports.delete(self);
  if (!expected.includes(self)) {
    throw new GenericError(
      `this node (${self}) is not among the members of wsrep_cluster_address (${expected.join(', ')}); check cluster_host_map`,
    );
  }
  return {
    self,
    expected,
    members: partition.members,
    quorate: partition.quorate,
    primary: primary.filter((n) => n !== self),
    reports,
    now: epochSeconds(),
    bootstrapWait: ctx.params.bootstrap_wait,
    twoNodeMode: ctx.params.two_node_mode,
    cleanlyOffline,
  };
}
