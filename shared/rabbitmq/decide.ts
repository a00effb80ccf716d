/**
 * Clustered RabbitMQ decisions, pure: how a clone instance may start (join the running cluster, form
 * a new one, boot first because it stopped last, boot together with the peers RabbitMQ will wait for,
 * or wait), and what this node's view of the cluster means for Pacemaker. The I/O around them (AMQP
 * greetings, rabbitmqctl, crm_node) is thin; everything here reasons in Pacemaker node names.
 *
 * What RabbitMQ 3.x itself guarantees, and what the agent must not break: a clustered node keeps its
 * metadata (Mnesia: queues, bindings, users, policies) and its quorum-queue replicas (Raft logs) in its
 * data directory. At boot a node that was not the last of its cluster to stop does not trust its own
 * metadata: it waits for a peer that ran after it (mnesia_table_loading_retry_timeout ×
 * mnesia_table_loading_retry_limit, 30 s × 10 by default) and fails to boot if none comes. Quorum-queue
 * messages are safe on any majority of the queue's members whatever the boot order. So the data is
 * never at risk from booting in the wrong order, only the start: a node launched while the peer it
 * needs stays off times out. The agent therefore never wipes data and never force-boots; it launches a
 * broker only when RabbitMQ can finish booting it, and otherwise waits, saying for whom.
 */

/** RabbitMQ's record of this node's data directory. */
export interface NodeData {
  /** Pacemaker names of the nodes RabbitMQ recorded as running when this node last stopped or lost them (nodes_running_at_shutdown), itself included. */
  readonly runningAtShutdown: readonly string[];
  /** Pacemaker names of every member its cluster had (cluster_nodes.config), itself included. */
  readonly clusterMembers: readonly string[];
}

export interface StartView {
  readonly self: string;
  /** The cluster's members, in the configured order (cluster_host_map, else the Pacemaker node list). */
  readonly members: readonly string[];
  /** Why the Pacemaker node list could not be read (crm_node failed); `members` then lists this node only. */
  readonly membersUnknown?: string;
  /** Nodes in this node's Pacemaker partition. */
  readonly online: readonly string[];
  readonly quorate: boolean;
  /** Members whose broker answers AMQP now (a running, unpaused RabbitMQ app). */
  readonly running: readonly string[];
  /** The members the running cluster lists (asked of a running peer); undefined when it could not say. */
  readonly runningClusterMembers: readonly string[] | undefined;
  /** This node's data directory; undefined when it holds none (a new node, or one never started). */
  readonly data: NodeData | undefined;
  /** The member that formed this clone's cluster, as the agent recorded it (a cluster property); undefined before. */
  readonly formedBy: string | undefined;
}

export type StartVerdict =
  /** A node without clustered data joins the running cluster through `peer` (join_cluster). */
  | { readonly kind: 'join'; readonly peer: string; readonly reason: string }
  /** A member with its data boots; the running cluster brings its metadata and queues up to date. */
  | { readonly kind: 'rejoin'; readonly reason: string }
  /** The running cluster forgot this member (forget_cluster_node): its old data is set aside and it joins anew. */
  | { readonly kind: 'reset-and-join'; readonly peer: string; readonly reason: string }
  /** No member holds data and none runs: this node forms the cluster. */
  | { readonly kind: 'form'; readonly reason: string }
  /** This node's own record says every other member had stopped before it: it has the newest metadata. */
  | { readonly kind: 'boot-first'; readonly reason: string }
  /** The peers that ran after this node are online and start too: RabbitMQ waits for them while they boot. */
  | { readonly kind: 'boot-with'; readonly peers: readonly string[]; readonly reason: string }
  /**
   * Not now. `poll`: what it waits for is starting in this same transition (the founder forming the
   * cluster), so start polls for it; otherwise (a peer offline, no quorum, an operator's decision)
   * start fails at once with the reason and Pacemaker retries after failure-timeout. A start that
   * blocked instead would hold up the whole transition, and with it the start of the very peer it
   * waits for once that peer's node comes online.
   */
  | {
      readonly kind: 'wait';
      readonly reason: string;
      readonly poll: boolean;
    };

const list = (nodes: readonly string[]) => nodes.join(', ');

export function decideStart(v: StartView): StartVerdict {
  // Without quorum this partition may be the minority: starting would serve clients a minority that
  // pause_minority pauses anyway, or (fresh) form a second cluster beside the majority's.
  if (!v.quorate) return { kind: 'wait', reason: 'no quorum in this partition', poll: false };
  // Who forms the cluster and whom a newcomer joins both come from the member list. Deciding on this
  // node alone would form a second, one-node cluster beside the founder's (and record it as the
  // cluster): wait for the list instead. crm_node failing is usually brief (the controller busy in a
  // transition), so start polls.
  if (v.membersUnknown !== undefined) {
    return { kind: 'wait', reason: `the cluster's node list is unknown (${v.membersUnknown})`, poll: true };
  }

  const peersRunning = v.running.filter((n) => n !== v.self);
  // Formation from empty: the first member in the configured order that Pacemaker sees forms the
  // cluster, so every node taking this decision picks the same one; the others join it, and until
  // the cluster is recorded as formed they join the founder only.
  const founder = v.members.find((n) => v.online.includes(n)) ?? v.self;
  // A node that holds no clustered data (none at all, or a standalone broker booted during formation).
  const newcomer = v.members.length > 1 && (v.data === undefined || !v.data.clusterMembers.some((n) => n !== v.self));
  const formed = v.formedBy !== undefined;
  if (!formed && newcomer && founder !== v.self && !peersRunning.includes(founder)) {
    return { kind: 'wait', reason: `new cluster: waiting for ${founder} to form it`, poll: true };
  }
  if (peersRunning.length > 0) {
    const peer = !formed && newcomer ? founder : peersRunning[0]!;
    // A new node (or a standalone one) becomes a member through join_cluster, which resets it first.
    if (v.data === undefined) return { kind: 'join', peer, reason: `joins the cluster running on ${list(peersRunning)}` };
    const wasClustered = v.data.clusterMembers.some((n) => n !== v.self);
    if (!wasClustered) {
      return { kind: 'join', peer, reason: `was never clustered: joins the cluster running on ${list(peersRunning)}` };
    }
    // Still a member: booting is all it takes. Mnesia loads the metadata from the running peers and
    // every quorum queue it is a member of catches up from its leader; nothing is reset.
    if (v.runningClusterMembers === undefined || v.runningClusterMembers.includes(v.self)) {
      return { kind: 'rejoin', reason: `rejoins the cluster running on ${list(peersRunning)} with its data` };
    }
    // The running cluster no longer lists this node, yet this node's data names those peers: an
    // operator ran forget_cluster_node. RabbitMQ refuses to boot such a node; its old data is of no
    // use to the cluster (its queue replicas were removed with it), so it is set aside, never merged.
    if (v.data.clusterMembers.some((n) => peersRunning.includes(n))) {
      return {
        kind: 'reset-and-join',
        peer,
        reason: `was forgotten by the cluster running on ${list(peersRunning)}: its data is set aside and it joins anew`,
      };
    }
    // Its data belongs to another cluster than the one running: joining would discard a history the
    // running cluster never had. An operator decides.
    return {
      kind: 'wait',
      reason: `its data belongs to a cluster of ${list(v.data.clusterMembers)}, not the one running on ${list(peersRunning)}: join by hand`,
      poll: false,
    };
  }

  // No cluster runs.
  if (newcomer && v.formedBy !== v.self) {
    // The cluster exists (it formed once) but none of its members runs: a new node must join it, never
    // start a second cluster its members would not know.
    if (formed) {
      const others = v.members.filter((n) => n !== v.self && v.online.includes(n));
      return { kind: 'wait', reason: 'no member runs: waiting for the cluster to start before joining it', poll: others.length > 0 };
    }
    // Here the founder is this node (the others returned above).
    return { kind: 'form', reason: 'forms the cluster: no member holds data or runs yet' };
  }
  // The founder restarting before anyone joined boots its own data (its record: it stopped last).
  if (v.data === undefined) return { kind: 'form', reason: 'forms the cluster: no member holds data or runs yet' };

  // Every member has data and none runs (a whole-cluster stop or outage). RabbitMQ's own record on
  // this node says which peers still ran when it stopped: they may hold newer metadata, and RabbitMQ
  // will not finish booting this node until one of them runs.
  const later = v.data.runningAtShutdown.filter((n) => n !== v.self);
  if (later.length === 0) {
    return { kind: 'boot-first', reason: 'stopped last (every other member had stopped before it): boots first' };
  }
  // The peers it needs are up in Pacemaker, so their instances start too (now, or after their own
  // failure-timeout): launch now. RabbitMQ waits for them as they boot
  // (mnesia_table_loading_retry_timeout × retry_limit); start does not block on that wait, the
  // monitor reports the booting node as degraded until it serves. After a power loss every node needs
  // all the others: they boot together, as RabbitMQ requires.
  const offline = later.filter((n) => !v.online.includes(n));
  if (offline.length === 0) {
    return { kind: 'boot-with', peers: later, reason: `boots with ${list(later)}, which ran after it stopped` };
  }
  // A peer that ran after this node is off: booting now would wait for it in vain and time out. Its
  // boot (or an operator's force_boot on the node that stopped last, README) ends the wait.
  return {
    kind: 'wait',
    reason: `waiting for ${list(offline)} to boot: it ran after this node stopped, so it may hold newer metadata`,
    poll: false,
  };
}

/**
 * Whether a start that launched a broker booting with its peers (boot-with) keeps the transition
 * waiting for it to serve, given which of its RabbitMQ cluster members (cluster_nodes.config) have an
 * Erlang VM up (epmd lists it). Only while every other member has one: the boot can then finish with no
 * help from Pacemaker, and start ends with the broker serving. A member without a VM may be the one the
 * boot waits for, directly or through a booting peer that waits for it (a peer's Mnesia lends no table
 * it has not loaded itself); Pacemaker starts that member only after this start returns, so holding
 * the transition would only delay it. Seen in the lab's power loss booted node by node: a start held
 * 20 s for a peer that was itself waiting for the third, whose start waited for the transition.
 */
export function holdBootingStart(self: string, members: readonly string[], withVm: readonly string[]): boolean {
  return members.every((n) => n === self || withVm.includes(n));
}

/** This node's view of its cluster (rabbitmqctl cluster_status), in Pacemaker names. */
export interface ClusterView {
  readonly members: readonly string[];
  readonly running: readonly string[];
  readonly partitions: readonly string[];
  readonly alarms: readonly string[];
  /** Members drained by `rabbitmq-upgrade drain`: running, but their client listeners suspended. */
  readonly maintenance: readonly string[];
}

export type ClusterVerdict =
  | { readonly kind: 'healthy'; readonly note: string }
  | { readonly kind: 'degraded'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * What a serving node's view means. A node that sees a partition serves a cluster that disagrees with
 * the majority, and a node the running members do not list is not part of it: a failure, never
 * success. A node that serves in a minority with no partition (its peers are down, not cut off) is
 * degraded (190), as is a majority with a member missing or in maintenance mode (drained: its clients
 * moved away), an alarm (publishers blocked) or a queue that would lose its quorum with this node:
 * running but not at its best.
 */
export function assessCluster(self: string, v: ClusterView, quorumCritical: string | undefined): ClusterVerdict {
  if (v.partitions.length > 0) return { kind: 'failed', reason: `partitioned from ${list(v.partitions)}` };
  if (!v.running.includes(self)) return { kind: 'failed', reason: `not among the running members (${list(v.running)})` };
  // A serving minority without a partition is the first member of a cold boot while the others boot
  // (or one whose peers just went, before pause_minority pauses it: the depth-0 monitor then fails).
  // A restart cannot bring a majority back; it only takes the cluster's first member away again, and
  // the members booting with it pause for want of it, so a failure here restarted the whole boot. Its
  // quorum queues do not commit until a majority runs: that is what the reason says.
  if (v.running.length * 2 <= v.members.length) {
    return {
      kind: 'degraded',
      reason: `in a minority: ${v.running.length} of ${v.members.length} members running (${list(v.running)}): quorum queues wait for a majority`,
    };
  }
  const problems: string[] = [];
  const missing = v.members.filter((n) => !v.running.includes(n));
  if (missing.length > 0) problems.push(`running without ${list(missing)}`);
  if (v.maintenance.length > 0) problems.push(`in maintenance mode (drained): ${list(v.maintenance)}`);
  if (v.alarms.length > 0) problems.push(`alarms: ${list(v.alarms)}`);
  if (quorumCritical) problems.push(quorumCritical);
  if (problems.length > 0) return { kind: 'degraded', reason: problems.join('; ') };
  return { kind: 'healthy', note: `all ${v.members.length} members running` };
}

/** Every Erlang node name (name@host) in an Erlang term file or CLI output, in order, once each. */
export function erlangNodes(text: string): string[] {
  return [...new Set([...text.matchAll(/'?([A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+)'?/g)].map((m) => m[1]!))];
}

/** `rabbitmqctl cluster_status --formatter json`, in Erlang names. */
export interface ClusterStatusRecord {
  readonly members: readonly string[];
  readonly running: readonly string[];
  readonly partitions: readonly string[];
  readonly alarms: readonly string[];
  /** Nodes marked for maintenance (drained). */
  readonly maintenance: readonly string[];
}

export function parseClusterStatus(json: string): ClusterStatusRecord {
  const o = JSON.parse(json) as Record<string, unknown>;
  const names = (x: unknown): string[] => (Array.isArray(x) ? x.filter((n): n is string => typeof n === 'string') : []);
  const partitions =
    o.partitions && typeof o.partitions === 'object'
      ? Object.entries(o.partitions as Record<string, unknown>).flatMap(([node, with_]) => (names(with_).length > 0 ? [node] : []))
      : [];
  const alarms = Array.isArray(o.alarms)
    ? o.alarms.map((a) =>
        a && typeof a === 'object'
          ? Object.values(a as Record<string, unknown>)
              .map(String)
              .join(' ')
          : String(a),
      )
    : [];
  // RabbitMQ labels each node "marked for maintenance" or "not under maintenance", colour codes included.
  const maintenance =
    o.maintenance_status && typeof o.maintenance_status === 'object'
      ? Object.entries(o.maintenance_status as Record<string, unknown>).flatMap(([node, label]) =>
          /marked for maintenance/.test(String(label)) ? [node] : [],
        )
      : [];
  return {
    members: [...new Set([...names(o.disk_nodes), ...names(o.ram_nodes)])],
    running: names(o.running_nodes),
    partitions,
    alarms,
    maintenance,
  };
}

/** The Pacemaker node of an Erlang node name: its host, mapped back through cluster_host_map. */
export function nodeOfErlang(erlang: string, hostMap: ReadonlyMap<string, string>): string {
  const host = erlang.slice(erlang.indexOf('@') + 1);
  for (const [node, h] of hostMap) if (h === host) return node;
  return host;
}
