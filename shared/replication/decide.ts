/**
 * The promotable MySQL agent's decisions, as pure functions of observed replication state: which
 * promotion score an instance publishes, whether it may be promoted, and whether a returning instance
 * may follow the primary. The I/O around them (SQL, crm_attribute, attrd) is thin and elsewhere.
 */
import { comparePositions, errantBeyond, formatPosition, type Position } from './position.ts';

export interface ReplicaStatus {
  /** A source is configured (SHOW REPLICA STATUS has a row with a host): false on a fresh instance or a primary. */
  readonly configured: boolean;
  /** Slave_IO_Running: Yes, Connecting, No. */
  readonly io: 'Yes' | 'Connecting' | 'No';
  readonly sqlRunning: boolean;
  readonly lastIoErrno: number;
  readonly lastIoError: string;
  readonly lastSqlErrno: number;
  readonly lastSqlError: string;
  /** null is "unknown" (the primary is gone, or the IO thread is down): never read as 0. */
  readonly secondsBehind: number | null;
  readonly masterHost: string;
}

export interface InstanceState {
  readonly readOnly: boolean;
  readonly replica: ReplicaStatus;
  /** What this instance has applied or written: MariaDB's furthest binlog/slave position, MySQL's gtid_executed. */
  readonly position: Position;
}

/**
 * Scores, far below Pacemaker's INFINITY (1,000,000). A lag figure is never a score: currency is
 * decided by comparing positions at promotion time, not by seconds sampled at the last monitor.
 */
export const SCORE = {
  PRIMARY: 1000,
  /** Replicating, both threads up, no error, lag known and within max_slave_lag. */
  CURRENT: 100,
  /** Replicating but lag unknown (NULL) or beyond max_slave_lag: promotable only if nothing better is. */
  UNCERTAIN: 10,
  /** Not replicating yet (fresh instance, or its primary is gone and it waits): a last resort. */
  IDLE: 5,
} as const;

export type Health =
  | { readonly kind: 'primary' }
  | { readonly kind: 'replica'; readonly score: number; readonly lagging: boolean }
  /** A broken replica: it reports failure and must never be promoted. */
  | { readonly kind: 'broken'; readonly reason: string };

/** Errors that mean "cannot reach the primary" rather than "replication is broken". */
const CONNECT_ERRORS = new Set([2003, 2005, 2013]);

/** The replication error that makes an instance unusable as a copy, if any ("cannot connect" is not one). */
export function replicationError(r: ReplicaStatus): string | undefined {
  if (r.lastSqlErrno !== 0) return `replication SQL error ${r.lastSqlErrno}: ${r.lastSqlError}`;
  if (r.lastIoErrno !== 0 && !CONNECT_ERRORS.has(r.lastIoErrno)) return `replication IO error ${r.lastIoErrno}: ${r.lastIoError}`;
  return undefined;
}

export function assess(state: InstanceState, maxLagSeconds: number): Health {
  // A writable instance is the primary; the cluster decides whether that is expected.
  if (!state.readOnly) return { kind: 'primary' };
  const r = state.replica;
  if (!r.configured) return { kind: 'replica', score: SCORE.IDLE, lagging: true };
  const error = replicationError(r);
  if (error) return { kind: 'broken', reason: error };
  if (!r.sqlRunning) return { kind: 'broken', reason: 'replication SQL thread is not running' };
  // Receiving stopped on purpose (IO thread off, no error): it falls behind by design, a last resort.
  if (r.io === 'No' && r.lastIoErrno === 0) return { kind: 'replica', score: SCORE.IDLE, lagging: true };
  // IO thread connecting (primary unreachable) or lag NULL: data currency unknown, never "0 s behind".
  if (r.io !== 'Yes' || r.secondsBehind === null) return { kind: 'replica', score: SCORE.UNCERTAIN, lagging: true };
  if (r.secondsBehind > maxLagSeconds) return { kind: 'replica', score: SCORE.UNCERTAIN, lagging: true };
  return { kind: 'replica', score: SCORE.CURRENT, lagging: false };
}

export interface Candidate {
  readonly node: string;
  readonly position: Position;
}

export type PromotionVerdict =
  | { readonly promote: true }
  /** `ahead`: the member that has more, when one simply has more (not when diverged or unknown). */
  | { readonly promote: false; readonly reason: string; readonly ahead?: Candidate };

/**
 * At promote, as PAF does: every instance that took part in this transition's pre-promote notification
 * (`partition`, recorded by the promoting node then) published its position; this instance may take over
 * only if none of them has more. Equal positions are fine: any of them will do, and Pacemaker already
 * picked this one.
 *
 * Only the partition counts. Positions are private node attributes; one published at an earlier
 * promotion by an instance that has since crashed, been fenced, re-cloned or truncated by crash recovery
 * says nothing about what exists now, and would either block every promotion (a dead node "ahead"
 * forever) or let a stale figure stand for a live one. An instance outside the partition is not running
 * here: Pacemaker stopped or fenced it, so what it holds is out of reach anyway — the failover trade-off
 * of any primary/replica database. A member of the partition without a position (its notification could
 * not read its server) is unknown, and unknown is never "behind": promotion waits for the next attempt.
 */
export function mayPromote(self: Candidate, partition: readonly string[], published: ReadonlyMap<string, Position>): PromotionVerdict {
  for (const node of partition) {
    if (node === self.node) continue;
    const position = published.get(node);
    if (position === undefined) return { promote: false, reason: `${node} published no position for this promotion: its data is unknown` };
    const order = comparePositions(position, self.position);
    if (order === 'ahead') {
      return {
        promote: false,
        reason: `${node} is ahead (${formatPosition(position)} > ${formatPosition(self.position)})`,
        ahead: { node, position },
      };
    }
    if (order === 'diverged') {
      return {
        promote: false,
        reason: `${node} has transactions ${self.node} lacks (${formatPosition(position)} vs ${formatPosition(self.position)})`,
      };
    }
  }
  return { promote: true };
}

/** What a promotable monitor reports and publishes for an instance, from its health. */
export type RoleVerdict =
  | { readonly kind: 'primary'; readonly score: number; readonly readable: true }
  | { readonly kind: 'replica'; readonly score: number; readonly readable: boolean }
  /** A failure: the score goes (never promoted) and it serves no reads. */
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * How a refused promotion gets what a member ahead of it has, then is decided again — instead of
 * failing, which costs a restart of this instance and another transition (seconds), while Pacemaker,
 * seeing equal scores on replicas that differ by a few transactions, simply picked this one.
 * - `source`: this replica still receives from its source, which has it: in a switchover the source
 *   is the old primary, just demoted, whose position is final. Waiting is enough.
 * - `peer`: its source is gone (a failover) but the member ahead received more of the old primary's
 *   transactions; they are in that member's binary log (log_slave_updates), so this instance
 *   replicates them from it, bounded, and stops there.
 * Never for a diverged member (it has transactions that are not the old primary's) nor for one whose
 * position is unknown.
 */
export type CatchUp = { readonly from: 'source' | 'peer'; readonly target: Candidate };

export function catchUpPlan(verdict: PromotionVerdict, replica: ReplicaStatus): CatchUp | undefined {
  if (verdict.promote || verdict.ahead === undefined) return undefined;
  const receiving = replica.configured && replica.io === 'Yes' && replica.sqlRunning && replicationError(replica) === undefined;
  return { from: receiving ? 'source' : 'peer', target: verdict.ahead };
}

export function roleVerdict(
  health: Health,
  o: { readonly evictOutdated: boolean; readonly replicating: boolean; readonly lag: number | null; readonly maxLag: number },
): RoleVerdict {
  switch (health.kind) {
    case 'primary':
      return { kind: 'primary', score: SCORE.PRIMARY, readable: true };
    case 'broken':
      return { kind: 'failed', reason: health.reason };
    case 'replica':
      // evict_outdated_slaves (Percona's meaning): a replica too far behind is failed and restarted
      // rather than kept as a last resort. One that is not replicating yet is waiting, not outdated.
      if (health.lagging && o.evictOutdated && o.replicating) {
        return { kind: 'failed', reason: `replica lag ${o.lag ?? 'unknown'} exceeds max_slave_lag ${o.maxLag} s (evict_outdated_slaves)` };
      }
      // Readable (reader VIPs follow it) only when it replicates within max_slave_lag: reads from a copy
      // of unknown currency are not offered.
      return { kind: 'replica', score: health.score, readable: !health.lagging };
  }
}

export type FollowVerdict = { readonly follow: true } | { readonly follow: false; readonly errant: string[] };

/**
 * Where and by whom the current primary took over: its position then, and what names its own
 * transactions — MariaDB's server_id, MySQL's server_uuid.
 */
export interface ForkPoint {
  readonly position: Position;
  readonly source: number | string;
}

/**
 * May an instance (typically an old primary coming back) replicate from the primary promoted at
 * `fork`? Not if it holds transactions beyond that point that the primary did not write: they exist
 * nowhere else, and replicating over them would silently keep a diverged copy. The operator decides.
 * Transactions beyond the fork point written by the primary itself are simply replicated ones.
 */
export function mayFollow(local: Position, fork: ForkPoint | undefined): FollowVerdict {
  if (fork === undefined) return { follow: true };
  const errant = errantBeyond(local, fork.position, fork.source);
  return errant.length === 0 ? { follow: true } : { follow: false, errant };
}

/**
 * What an instance coming back lacks of its own writes, that the primary has: MariaDB's crash recovery
 * of a semi-sync primary (init-rpl-role=SLAVE) truncates what its engine had not committed, and a
 * replica may have received and applied it already. The last GTID of a fork point's domain names its
 * writer; when that is `self` and `local` is behind it, the range in between was written here and lost
 * here. It comes back by replication because a replica runs under its replica server_id (server-id.ts);
 * this only names it for the log. MySQL keeps such a tail at recovery (it is then errant, or acked).
 */
export function ownTransactionsToFetch(local: Position, fork: ForkPoint | undefined, self: number | string): string[] {
  if (fork === undefined || local.kind !== 'mariadb' || fork.position.kind !== 'mariadb') return [];
  const lacking: string[] = [];
  for (const [domain, g] of fork.position.gtid) {
    const have = local.gtid.get(domain)?.seq ?? 0n;
    if (g.server === self && g.seq > have) lacking.push(`${domain}-${g.server}-${have + 1n}..${g.seq}`);
  }
  return lacking;
}
