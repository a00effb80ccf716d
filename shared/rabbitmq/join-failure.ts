/**
 * What a failed `rabbitmqctl join_cluster` means for the node that tried, pure. Seen on RabbitMQ 3.10
 * in the lab: two newcomers joining the same peer at once (as in formation) failed in 2 of 6 rounds
 * when they had just left the cluster (`rabbitmqctl reset`), and in none of 13 from forgotten,
 * force-reset nodes. The failure leaves the peer listing the newcomer as a member while the newcomer,
 * whose half-done join was rolled back, is not one; every later join_cluster then fails with
 * inconsistent_cluster, for good. A disk replaced under a member (same name, empty data) meets the
 * same refusal.
 */

export type JoinFailureVerdict =
  /**
   * The running cluster lists this node, which holds nothing of it (a newcomer: join_cluster resets
   * it first). The cluster forgets the stale entry (forget_cluster_node, run on the peer), then this
   * node joins anew; the quorum queues get a replica on it again from the grow that follows a join.
   */
  | { readonly kind: 'forget-then-join'; readonly reason: string }
  /** Anything else (a Mnesia error from a concurrent join, a peer busy): try again shortly. */
  | { readonly kind: 'retry' };

// RabbitMQ's words: {inconsistent_cluster, "Node rabbit@n1 thinks it's clustered with node
// rabbit@n3, but rabbit@n3 disagrees"} (the CLI quotes the names and escapes the apostrophe).
const STALE = /thinks it\\?'s clustered with node '?([^\s',]+)'?, but '?([^\s',]+?)'? disagrees/;

export function judgeJoinFailure(output: string, self: string): JoinFailureVerdict {
  const stale = STALE.exec(output);
  if (/inconsistent_cluster/.test(output) && stale && stale[1] === self && stale[2] === self) {
    return { kind: 'forget-then-join', reason: `the running cluster still lists ${self} from a join that did not complete` };
  }
  return { kind: 'retry' };
}
