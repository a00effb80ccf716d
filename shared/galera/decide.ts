/**
 * Galera decisions, pure: who bootstraps a cluster that has no primary component, and what a running
 * member's wsrep status means for Pacemaker. The I/O around them (attributes, crm_node, SQL) is thin.
 *
 * Galera never loses a committed transaction while one primary component runs: every write set is in
 * total order, delivered to every member before its origin commits it. What can go wrong under
 * Pacemaker is the restart of a cluster that has no primary component any more: bootstrapping from a
 * node that lacks transactions another node holds throws those transactions away, and a node that
 * holds transactions the new primary never saw would rejoin by IST on top of a different history.
 */
import { isStateless, describeReport, type Report } from './report.ts';
import { NO_HISTORY } from './state-files.ts';

/** Promotion scores: the bootstrap node first, joiners once a primary component runs. */
export const BOOTSTRAP_SCORE = 100;
export const JOIN_SCORE = 50;
export const PROMOTED_SCORE = 100;

export interface ClusterView {
  readonly self: string;
  /** Pacemaker node names of every member wsrep_cluster_address lists. */
  readonly expected: readonly string[];
  /** Nodes in this node's Pacemaker partition (reachable now). */
  readonly members: readonly string[];
  readonly quorate: boolean;
  /** Nodes where Pacemaker runs a Promoted instance: a primary component exists there. */
  readonly primary: readonly string[];
  /** Positions reported by nodes whose instance is started (Unpromoted, server stopped). */
  readonly reports: ReadonlyMap<string, Report>;
  /** Epoch seconds. */
  readonly now: number;
  /** Seconds a majority of the last primary component waits for its missing members. */
  readonly bootstrapWait: number;
  readonly twoNodeMode: boolean;
  /** Nodes Pacemaker reports offline and not unclean (fenced, or shut down); read in two_node_mode only. */
  readonly cleanlyOffline: readonly string[];
}

export type BootstrapRule =
  /** Every member reported: the most advanced has every committed transaction. */
  | 'all-reported'
  /** Galera marked it: the last member to leave the last primary component, cleanly. */
  | 'last-to-leave'
  /** The newest primary component any reporter saw consisted of reporters only. */
  | 'missing-left-earlier'
  /** A majority of the newest primary component is here and its missing members are offline. */
  | 'majority-of-last-component'
  /** two_node_mode: the peer is offline and Pacemaker (two_node quorum, fencing) says this node may run. */
  | 'two-node-mode';

export type BootstrapVerdict =
  | { readonly kind: 'join'; readonly primary: readonly string[] }
  | {
      readonly kind: 'bootstrap';
      readonly node: string;
      readonly rule: BootstrapRule;
      /** Expected members that did not take part: they must not rejoin by IST past `seqno`. */
      readonly excluded: readonly string[];
      readonly uuid: string;
      readonly seqno: number;
      readonly reason: string;
    }
  | { readonly kind: 'wait'; readonly reason: string };

/**
 * The most advanced of the nodes with state: highest seqno; on a tie the one Galera marked safe to
 * bootstrap (it left last, cleanly); then the order of wsrep_cluster_address, so every node that runs
 * this decision on the same reports picks the same node.
 */
function mostAdvanced(candidates: readonly string[], reports: ReadonlyMap<string, Report>, order: readonly string[]): string {
  return [...candidates].sort((a, b) => {
    const ra = reports.get(a)!;
    const rb = reports.get(b)!;
    if (ra.seqno !== rb.seqno) return rb.seqno - ra.seqno;
    if (ra.safeToBootstrap !== rb.safeToBootstrap) return ra.safeToBootstrap ? -1 : 1;
    return order.indexOf(a) - order.indexOf(b);
  })[0]!;
}

const list = (nodes: readonly string[]) => nodes.join(', ');

export function decideBootstrap(v: ClusterView): BootstrapVerdict {
  // A primary component runs: joining it is always safe (IST/SST bring the joiner to its state).
  if (v.primary.length > 0) return { kind: 'join', primary: v.primary };
  // Without quorum another partition may be running or bootstrapping: never start a second history.
  if (!v.quorate) return { kind: 'wait', reason: 'no quorum in this partition' };

  const reported = v.expected.filter((n) => v.reports.has(n));
  const missing = v.expected.filter((n) => !v.reports.has(n));
  const withState = reported.filter((n) => !isStateless(v.reports.get(n)!));
  const histories = new Set(withState.map((n) => v.reports.get(n)!.uuid));
  if (histories.size > 1) {
    // Two histories cannot both be right, and neither can be chosen by seqno: an operator must decide.
    const who = withState.map((n) => `${n} ${v.reports.get(n)!.uuid.slice(0, 8)}`).join(', ');
    return { kind: 'wait', reason: `members hold different cluster histories (${who}): bootstrap by hand` };
  }
  const bootstrap = (node: string, rule: BootstrapRule, why: string): BootstrapVerdict => {
    const r = v.reports.get(node)!;
    return {
      kind: 'bootstrap',
      node,
      rule,
      excluded: missing,
      uuid: r.uuid,
      seqno: r.seqno,
      reason: `${node} (${describeReport(r)}) ${why}`,
    };
  };

  // Formation from empty datadirs: nobody holds anything, so any node may start the history; the first
  // in wsrep_cluster_address, once every member is here to agree on it.
  if (withState.length === 0) {
    if (missing.length === 0) return bootstrap(v.expected[0]!, 'all-reported', 'starts a new cluster: no member holds data yet');
    return { kind: 'wait', reason: `new cluster: waiting for ${list(missing)} to report` };
  }

  const best = mostAdvanced(withState, v.reports, v.expected);
  if (missing.length === 0) return bootstrap(best, 'all-reported', 'is the most advanced of all members');

  // A missing member that Pacemaker can reach will report as soon as its instance starts, and it may
  // be the one ahead: bootstrapping now could throw its transactions away. Wait for it.
  const reachable = missing.filter((n) => v.members.includes(n));
  if (reachable.length > 0) {
    return { kind: 'wait', reason: `waiting for ${list(reachable)}: online, position not reported yet (may be ahead)` };
  }

  // From here every missing member is offline. Galera's own mark: the last node to leave the last
  // primary component cleanly wrote safe_to_bootstrap. Everyone else left before it, so it holds all.
  if (v.reports.get(best)!.safeToBootstrap) return bootstrap(best, 'last-to-leave', 'left the last primary component last, cleanly');

  // gvwstate.dat: the newest primary component any reporter was a member of. If it consisted of
  // reporters only, the missing members had left before it formed, and every transaction committed
  // since reached all of its members: the most advanced reporter holds everything.
  const components = reported.map((n) => v.reports.get(n)!.component).filter((c) => c !== undefined);
  const newest = components.sort((a, b) => b.viewSeq - a.viewSeq)[0];
  if (!newest) {
    return {
      kind: 'wait',
      reason: `waiting for ${list(missing)}: offline, and nothing proves the others hold all it may hold; boot it`,
    };
  }
  const present = new Set(components.map((c) => c.self));
  const absentFromNewest = newest.members.filter((m) => !present.has(m));
  if (absentFromNewest.length === 0) {
    return bootstrap(best, 'missing-left-earlier', `is the most advanced; ${list(missing)} had left before the last primary component`);
  }

  // two_node_mode: the operator relies on Pacemaker's two_node quorum with fencing, as upstream does.
  // Both halves of a split two-node cluster are quorate, so leaving this partition proves nothing:
  // only once fencing confirmed the peer down (crm_mon: offline, not unclean) is this node the only
  // one that can run. Before that, both halves bootstrapping would be two histories.
  if (v.twoNodeMode && v.expected.length === 2) {
    const unfenced = missing.filter((n) => !v.cleanlyOffline.includes(n));
    if (unfenced.length === 0) return bootstrap(best, 'two-node-mode', `is the survivor of a two-node cluster (two_node_mode)`);
    return { kind: 'wait', reason: `two_node_mode: waiting for ${list(unfenced)} to be fenced (out of this partition, may still run)` };
  }

  // A majority of the newest primary component is here and the rest is offline: Galera delivered every
  // committed write set to all members of that component before its origin committed it, so the
  // majority has what the missing members had, up to what they had not applied yet. After
  // bootstrap_wait this is taken: the missing members then rejoin by full state transfer if they hold
  // anything past the bootstrap seqno (the exclusion recorded at bootstrap), never by IST.
  const majority = (newest.members.length - absentFromNewest.length) * 2 > newest.members.length;
  const waited = v.now - Math.min(...reported.map((n) => v.reports.get(n)!.at));
  const here = `${newest.members.length - absentFromNewest.length}/${newest.members.length}`;
  if (!majority) {
    return { kind: 'wait', reason: `waiting for ${list(missing)}: offline; only ${here} of the last primary component here, no majority` };
  }
  if (waited < v.bootstrapWait) {
    return {
      kind: 'wait',
      reason: `waiting ${v.bootstrapWait - waited} s more for ${list(missing)} (offline) before ${here} bootstrap (bootstrap_wait)`,
    };
  }
  return bootstrap(
    best,
    'majority-of-last-component',
    `is the most advanced of a majority of the last primary component; ${list(missing)} offline`,
  );
}

/** The wsrep status variables a monitor reads. */
export interface WsrepStatus {
  readonly clusterStatus: string;
  readonly ready: boolean;
  readonly connected: boolean;
  /** 1 joining, 2 donor/desynced, 3 joined, 4 synced. */
  readonly localState: number;
  readonly stateComment: string;
  readonly clusterSize: number;
}

export type MemberVerdict =
  | { readonly kind: 'synced'; readonly note: string }
  | { readonly kind: 'degraded'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * What a running member is. A member outside the primary component does not serve writes (the server
 * refuses them) and must be reported: that is a failure, never success. A donor, desynced or joined
 * member is in the component but not a writer now: degraded (190).
 */
export function assessMember(s: WsrepStatus): MemberVerdict {
  if (!s.connected) return { kind: 'failed', reason: 'not connected to any cluster member (wsrep_connected=OFF)' };
  if (s.clusterStatus !== 'Primary') {
    return {
      kind: 'failed',
      reason: `non-Primary component of ${s.clusterSize} (wsrep_cluster_status=${s.clusterStatus}): partitioned from the majority, no writes`,
    };
  }
  if (!s.ready) return { kind: 'failed', reason: 'in the primary component but not ready (wsrep_ready=OFF)' };
  if (s.localState === 4) return { kind: 'synced', note: `Synced in a primary component of ${s.clusterSize}` };
  if (s.localState === 2) return { kind: 'degraded', reason: `${s.stateComment} (state transfer or desync): not taking writes now` };
  return { kind: 'degraded', reason: `${s.stateComment}: catching up with the primary component` };
}

/**
 * two_node_mode: whether a survivor whose peer left may re-form the primary component alone, judged
 * from this node's partition and the nodes crm_mon reports cleanly offline. `false`: nothing to wait
 * for (this partition is not quorate, or the peer is still in it, so the component broke for another
 * reason). `undefined`: not yet (the peer left but is unclean: it may still run and re-form its own
 * component at this moment). `true`: fenced or cleanly shut down, so it cannot.
 */
export function peerFenceVerdict(
  self: string,
  peer: string,
  partition: { readonly quorate: boolean; readonly members: readonly string[] },
  cleanlyOffline: readonly string[],
): boolean | undefined {
  if (!partition.quorate || !partition.members.includes(self) || partition.members.includes(peer)) return false;
  return cleanlyOffline.includes(peer) ? true : undefined;
}

export type StartPosition =
  /** grastate.dat says where the server is (or it holds no history): the server reads it itself. */
  | { readonly kind: 'grastate' }
  /** The position this node reported, still true of its data: passed as --wsrep-start-position. */
  | { readonly kind: 'reported'; readonly position: string }
  /** grastate.dat says -1 and no report can be trusted: recover it again before the server starts. */
  | { readonly kind: 'recover' };

/**
 * Where a server starts in its history. After a crash grastate.dat says seqno -1, and a server started
 * without --wsrep-start-position takes itself for one with no state: as a joiner it then asks for a
 * full state transfer (SST, which on rsync blocks its donor, often the writer) where an IST from a
 * donor's gcache would do, and as a bootstrap it begins a new history, so every other member needs SST
 * too. mysqld_safe and MariaDB's galera_recovery pass the recovered position for this reason.
 *
 * The position this node reported at start was recovered from InnoDB with the server stopped. It is
 * still true when the server has not run since: the server writes its error log whenever it runs, so a
 * log written at or after the report was taken (a failed join, say, whose state transfer may have
 * replaced part of the data) sends the node back to recovery instead.
 */
export function chooseStartPosition(
  grastate: { readonly uuid: string; readonly seqno: number } | undefined,
  reported: Report | undefined,
  serverLogWrittenMs: number,
): StartPosition {
  // No history (never joined, or its state moved aside for SST), or the seqno of a clean shutdown.
  if (!grastate || grastate.uuid === NO_HISTORY || grastate.seqno >= 0) return { kind: 'grastate' };
  const stillTrue = reported !== undefined && serverLogWrittenMs < reported.at * 1000;
  if (stillTrue && reported.uuid === grastate.uuid && !isStateless(reported)) {
    return { kind: 'reported', position: `${reported.uuid}:${reported.seqno}` };
  }
  return { kind: 'recover' };
}
