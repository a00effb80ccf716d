/**
 * ocf:tsha:rabbitmq in clone mode: one RabbitMQ cluster across the clone's instances. start joins the
 * running cluster or lets the decision (decide.ts) say who boots when none runs; stop drains the node
 * and shuts it down cleanly; monitor reports a paused or partitioned node as failed and a missing
 * member as degraded. Stable CLI only (rabbitmqctl, rabbitmq-diagnostics, rabbitmq-upgrade,
 * rabbitmq-queues), every call bounded; data is never wiped except a member the cluster forgot, whose
 * data is set aside (renamed, not deleted) and logged.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionContext, Outcome } from '../ocf/agent.ts';
import { Deadline } from '../ocf/deadline.ts';
import { GenericError } from '../ocf/errors.ts';
import { OCF } from '../ocf/exit-codes.ts';
import { baseName, clusterProperty, setClusterProperty } from '../cluster/attributes.ts';
import { hostOf, parseHostMap } from '../cluster/host-map.ts';
import { ownNodeName, readPartition } from '../cluster/membership.ts';
import { readAmqpGreeting } from '../amqp/greeting.ts';
import { runCommand } from '../process/command.ts';
import { isLive, readProcess } from '../process/proc.ts';
import {
  brokerHome,
  brokerProcesses,
  launchBroker,
  launchBrokerUnless,
  monitorHost,
  prepareHome,
  roundTrip,
  RoundTripTimeout,
  shutDown,
  status,
} from './broker.ts';
import { cli, failure, type CliTarget, type Tool } from './cli.ts';
import {
  assessCluster,
  decideStart,
  erlangNodes,
  holdBootingStart,
  nodeOfErlang,
  parseClusterStatus,
  type NodeData,
  type StartVerdict,
  type StartView,
} from './decide.ts';
import { startDecisionLine } from './decision-line.ts';
import { epmdNames } from './epmd.ts';
import { judgeJoinFailure } from './join-failure.ts';
import type { RabbitmqParameters } from './parameters.ts';
import { findAccount } from '../process/users.ts';

type Ctx = ActionContext<RabbitmqParameters>;

const PEER_GREETING_MS = 2000;
const STATUS_CAP_MS = 10_000;
const WAIT_POLL_MS = 1000;
/** How long start waits for a broker booting with its peers to serve before leaving it to the monitor. */
const BOOT_GRACE_MS = 20_000;
/** How long a broker booting with peers waits before checking that every member has an Erlang VM up. */
const PEER_VM_CHECK_AFTER_MS = 3000;

/** Clone mode: cluster=on, or cluster=auto in a clone of more than one instance. */
export function cloneMode(ctx: Ctx): boolean {
  if (ctx.params.cluster === 'on') return true;
  if (ctx.params.cluster === 'off') return false;
  return Number(ctx.env.meta.get('clone_max') ?? '1') > 1;
}

/** This instance in the cluster: its Pacemaker name, the members, and their Erlang names. */
interface Member {
  /** The context with this node's Erlang name as nodename. */
  readonly ctx: Ctx;
  readonly self: string;
  readonly members: readonly string[];
  /** Why the members are not known (crm_node did not answer): only this node is listed then. */
  readonly membersUnknown: string | undefined;
  readonly hostMap: ReadonlyMap<string, string>;
  readonly cli: CliTarget;
  /** Every member's Erlang node name without its host (`rabbit`): what epmd lists. */
  readonly erlangName: string;
  erlang(node: string): string;
}

/** The cluster's nodes per Pacemaker, or why crm_node could not list them. */
async function listNodes(ctx: Ctx): Promise<{ readonly nodes: string[] } | { readonly unknown: string }> {
  // "1 n1 member" per node; the node's own variables would not change the list.
  const r = await runCommand('crm_node', ['--list'], ctx.deadline, 5000);
  if (r.exitCode !== 0) return { unknown: `crm_node --list failed: ${failure(r)}` };
  const nodes = r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[1])
    .filter((n): n is string => n !== undefined && n !== '');
  return nodes.length > 0 ? { nodes } : { unknown: 'crm_node --list listed no node' };
}

async function member(ctx: Ctx): Promise<Member> {
  const hostMap = parseHostMap(ctx.params.cluster_host_map).map;
  const self = await ownNodeName(ctx.env, ctx.deadline);
  const name = ctx.params.nodename.slice(0, ctx.params.nodename.indexOf('@'));
  const erlang = (node: string) => `${name}@${hostOf(node, hostMap)}`;
  const listed = hostMap.size > 0 ? { nodes: [...hostMap.keys()] } : await listNodes(ctx);
  const known = 'nodes' in listed ? listed.nodes : [];
  const members = known.includes(self) ? known : [...known, self];
  const own: Ctx = { ...ctx, params: { ...ctx.params, nodename: erlang(self) } };
  const account = findAccount(ctx.params.user);
  return {
    ctx: own,
    self,
    members,
    membersUnknown: 'unknown' in listed ? listed.unknown : undefined,
    hostMap,
    cli: { params: own.params, home: brokerHome(own.params, account?.home ?? '/var/lib/rabbitmq') },
    erlangName: name,
    erlang,
  };
}

function dataDir(m: Member): string {
  return join(m.ctx.params.mnesia_base, m.ctx.params.nodename);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * RabbitMQ's own records in the data directory: cluster_nodes.config (every member, the disc members)
 * and nodes_running_at_shutdown (who ran when this node last stopped or last saw a peer go: written at
 * each membership change, so a crash leaves the last view). No schema: no data.
 */
function readNodeData(m: Member): NodeData | undefined {
  const dir = dataDir(m);
  if (!existsSync(join(dir, 'schema.DAT'))) return undefined;
  const names = (file: string) => {
    const text = readText(join(dir, file));
    return text === undefined ? undefined : erlangNodes(text).map((e) => nodeOfErlang(e, m.hostMap));
  };
  const clusterMembers = names('cluster_nodes.config') ?? [m.self];
  // Without the record, assume what is safe: every member may have run after this node.
  const runningAtShutdown = names('nodes_running_at_shutdown') ?? clusterMembers;
  return { clusterMembers, runningAtShutdown };
}

const formedProperty = (ctx: Ctx) => `${baseName(ctx.env.instance)}-rabbitmq-formed`;

/** Peers whose broker answers AMQP: their RabbitMQ app runs and is not paused. */
async function servingPeers(m: Member): Promise<string[]> {
  const peers = m.members.filter((n) => n !== m.self);
  const answers = await Promise.all(
    peers.map(async (n) => {
      const g = await readAmqpGreeting(
        hostOf(n, m.hostMap),
        m.ctx.params.node_port,
        m.ctx.deadline.budget(PEER_GREETING_MS, 'peer greeting'),
      );
      return g.kind === 'start' ? n : undefined;
    }),
  );
  return answers.filter((n): n is string => n !== undefined);
}

async function gatherView(m: Member): Promise<StartView> {
  const ctx = m.ctx;
  const [partition, running, formed] = await Promise.all([
    readPartition(m.self, ctx.env.meta.has('on_node'), ctx.deadline),
    servingPeers(m),
    clusterProperty(formedProperty(ctx), ctx.deadline),
  ]);
  const data = readNodeData(m);
  let runningClusterMembers: string[] | undefined;
  if (data !== undefined && running.length > 0) {
    const r = await cli(
      m.cli,
      'rabbitmqctl',
      m.erlang(running[0]!),
      ['cluster_status', '--formatter', 'json'],
      ctx.deadline,
      STATUS_CAP_MS,
    );
    if (r.exitCode === 0) {
      try {
        runningClusterMembers = parseClusterStatus(r.stdout).members.map((e) => nodeOfErlang(e, m.hostMap));
      } catch {
        runningClusterMembers = undefined;
      }
    }
  }
  return {
    self: m.self,
    members: m.members,
    // Outside any cluster stack (a person on a lone machine) this node is all there is.
    ...(m.membersUnknown !== undefined && !partition.standalone ? { membersUnknown: m.membersUnknown } : {}),
    online: partition.standalone ? [m.self] : partition.members,
    quorate: partition.standalone || partition.quorate,
    running,
    runningClusterMembers,
    data,
    formedBy: formed,
  };
}

async function mustCli(m: Member, tool: Tool, node: string, args: readonly string[], capMs: number): Promise<void> {
  const r = await cli(m.cli, tool, node, args, m.ctx.deadline, capMs);
  if (r.exitCode !== 0) throw new GenericError(`${tool} ${args[0]} on ${node} failed: ${failure(r)}`);
}

/** How many times start tries join_cluster before failing (each bounded; see join-failure.ts). */
const JOIN_ATTEMPTS = 4;
const JOIN_RETRY_MS = 2000;

/**
 * The RabbitMQ app of this running node joins `peer`'s cluster (join_cluster resets this node first).
 * A failed join is retried, and a stale entry of this node in the running cluster is removed first
 * (join-failure.ts): a start that failed instead would meet the same refusal at every retry.
 */
async function joinCluster(m: Member, peer: string): Promise<void> {
  const self = m.ctx.params.nodename;
  const peerNode = m.erlang(peer);
  await mustCli(m, 'rabbitmqctl', self, ['stop_app'], 60_000);
  for (let attempt = 1; ; attempt++) {
    const r = await cli(m.cli, 'rabbitmqctl', self, ['join_cluster', peerNode], m.ctx.deadline, 60_000);
    if (r.exitCode === 0) break;
    const verdict = judgeJoinFailure(`${r.stderr}\n${r.stdout}`, self);
    const why = verdict.kind === 'retry' ? failure(r) : verdict.reason;
    if (attempt >= JOIN_ATTEMPTS || r.timedOut || m.ctx.deadline.remaining() < JOIN_RETRY_MS + 20_000)
      throw new GenericError(`rabbitmqctl join_cluster on ${self} failed: ${why}`);
    m.ctx.log.warn(`${m.self}: join_cluster ${peerNode} failed (${why}); attempt ${attempt + 1} of ${JOIN_ATTEMPTS}`);
    if (verdict.kind === 'forget-then-join') {
      // This node's app is stopped and it holds nothing of the cluster: the peer may drop it.
      const forget = await cli(m.cli, 'rabbitmqctl', peerNode, ['forget_cluster_node', self], m.ctx.deadline, 30_000);
      if (forget.exitCode !== 0) m.ctx.log.warn(`forget_cluster_node ${self} on ${peerNode} failed: ${failure(forget)}`);
      else m.ctx.log.warn(`${peerNode} forgot the stale member ${self}; joining again`);
    }
    await m.ctx.deadline.sleep(JOIN_RETRY_MS);
  }
  await mustCli(m, 'rabbitmqctl', self, ['start_app'], 90_000);
  await m.ctx.deadline.until(`${self} to answer AMQP after joining`, async () => {
    const s = await status(m.ctx).catch(() => undefined);
    return s?.kind === 'serving' ? s : undefined;
  });
  // A new member holds no quorum-queue replica: grow every quorum queue onto it (the anchors never did).
  const grow = await cli(m.cli, 'rabbitmq-queues', self, ['grow', self, 'all'], m.ctx.deadline, 30_000);
  if (grow.exitCode !== 0) m.ctx.log.warn(`rabbitmq-queues grow ${self} all failed: ${failure(grow)}; grow by hand (README)`);
}

/** A member the cluster forgot: its data directory is renamed aside, never deleted, and the log says where. */
function setAside(m: Member): string {
  const dir = dataDir(m);
  const aside = `${dir}.forgotten-${new Date().toISOString().replace(/[:.]/g, '')}`;
  renameSync(dir, aside);
  m.ctx.log.warn(`${m.self} was forgotten by the running cluster: its data directory was moved to ${aside}; it joins anew`);
  return aside;
}

/** Launches the broker unless it already serves (a newcomer booted standalone during formation). */
async function ensureLaunched(m: Member): Promise<void> {
  const s = await status(m.ctx).catch(() => undefined);
  if (s?.kind !== 'serving') await launchBroker(m.ctx);
}

async function act(m: Member, v: Exclude<StartVerdict, { kind: 'wait' }>): Promise<string> {
  m.ctx.log.info(`${m.self} ${v.reason}`);
  switch (v.kind) {
    case 'join':
      await ensureLaunched(m);
      await joinCluster(m, v.peer);
      return `joined the cluster through ${v.peer}`;
    case 'reset-and-join':
      setAside(m);
      await launchBroker(m.ctx);
      await joinCluster(m, v.peer);
      return `forgotten by the cluster: data set aside, joined through ${v.peer}`;
    case 'form':
      await ensureLaunched(m);
      if (!(await setClusterProperty(formedProperty(m.ctx), m.self, m.ctx.deadline)))
        m.ctx.log.warn(`could not record ${formedProperty(m.ctx)}: a new node may not know the cluster formed`);
      return 'formed the cluster';
    case 'rejoin':
    case 'boot-first':
      await launchBroker(m.ctx);
      return v.kind === 'rejoin' ? 'rejoined with its data' : 'booted first (stopped last)';
    case 'boot-with':
      return bootWith(m, v.peers);
  }
}

/**
 * Launches a broker whose boot waits for peers that start beside it. It may serve within the grace;
 * if not, start still succeeds with the VM booting (RabbitMQ bounds that wait itself and exits when
 * no peer comes), and the monitor reports it as degraded until it serves: start must not hold up the
 * transition in which Pacemaker would start those peers. Nor one that would retry them: once a member
 * has no Erlang VM (its start failed earlier and waits out failure-timeout, or its node is still
 * joining), start leaves the grace after a moment (holdBootingStart says why).
 */
async function bootWith(m: Member, peers: readonly string[]): Promise<string> {
  const grace = new Deadline(Math.min(BOOT_GRACE_MS, m.ctx.deadline.remaining()));
  const members = readNodeData(m)?.clusterMembers ?? m.members;
  const leave = async () => {
    if (grace.totalMs - grace.remaining() < PEER_VM_CHECK_AFTER_MS) return false;
    const others = members.filter((n) => n !== m.self);
    const names = await Promise.all(
      others.map((n) => epmdNames(hostOf(n, m.hostMap), m.ctx.params.epmd_port, grace.budget(PEER_GREETING_MS, 'epmd names'))),
    );
    const withVm = others.filter((_, i) => names[i]?.includes(m.erlangName));
    return !holdBootingStart(m.self, members, withVm);
  };
  let pid: number | undefined;
  try {
    pid = await launchBrokerUnless({ ...m.ctx, deadline: grace }, leave);
  } catch (error) {
    if (!grace.expired() || !brokerProcesses(m.ctx.params).some((p) => isLive(readProcess(p.pid)))) throw error;
  }
  if (pid !== undefined) return `booted with ${peers.join(', ')}`;
  m.ctx.log.info(`${m.self} is booting, waiting for ${peers.join(', ')} (RabbitMQ waits for the peers that ran after it stopped)`);
  return `booting, waiting for ${peers.join(', ')}`;
}

export async function clusteredStart(ctx: Ctx): Promise<Outcome> {
  let m = await member(ctx);
  const before = await status(m.ctx);
  // A serving broker is started, unless it is a newcomer booted standalone that has yet to join.
  const data = readNodeData(m);
  // Under Pacemaker an unknown member list may hide peers this broker has yet to join: decide below.
  const clustered = m.members.length > 1 || (m.membersUnknown !== undefined && ctx.env.meta.has('on_node'));
  const standalone = clustered && (data === undefined || !data.clusterMembers.some((n) => n !== m.self));
  if (before.kind === 'serving' && !standalone) return { code: OCF.SUCCESS, note: `already running (pid ${before.process.pid})` };
  prepareHome(m.ctx.params);
  let said = '';
  for (;;) {
    const view = await gatherView(m);
    const verdict = decideStart(view);
    // HA_debug=1: every input of the start decision and its outcome, at each poll (decide.ts says why).
    ctx.log.debug(startDecisionLine(view, verdict));
    if (verdict.kind !== 'wait') {
      // No `rabbitmq-upgrade revive` after it: RabbitMQ ends the maintenance mode of a node drained at
      // its last stop when its app boots (every launch and start_app; rabbitmq.test.ts shows it).
      const how = await act(m, verdict);
      return { code: OCF.SUCCESS, note: `${m.ctx.params.nodename}: ${how}` };
    }
    if (verdict.reason !== said) ctx.log.info(`${m.self} not starting yet: ${verdict.reason}`);
    said = verdict.reason;
    if (!verdict.poll || ctx.deadline.remaining() < WAIT_POLL_MS + 3000) throw new GenericError(`not started, ${verdict.reason}`);
    await ctx.deadline.sleep(WAIT_POLL_MS);
    if (m.membersUnknown !== undefined) m = await member(ctx);
  }
}

/**
 * Drain (quorum-queue leaders and client connections move to the other members), then the broker's
 * clean shutdown. The drain gets at most half of what is left; its failure (a lone or partitioned
 * node cannot hand anything over) is logged and the shutdown goes on: stop never fails on the
 * cluster's health.
 */
export async function clusteredStop(ctx: Ctx): Promise<Outcome> {
  const m = await member(ctx);
  const processes = brokerProcesses(m.ctx.params);
  if (processes.length === 0) return { code: OCF.SUCCESS, note: 'not running' };
  const [own, peers] = await Promise.all([
    readAmqpGreeting(monitorHost(m.ctx.params), ctx.params.node_port, ctx.deadline.budget(PEER_GREETING_MS, 'greeting')),
    servingPeers(m),
  ]);
  // Draining hands quorum-queue leaders and clients to serving peers; with none (a lone or
  // partitioned node) it could only block, so it is skipped.
  let drained =
    own.kind !== 'start'
      ? 'not drained (not serving)'
      : m.membersUnknown !== undefined
        ? `not drained (no peer known: ${m.membersUnknown})`
        : 'not drained (no peer serving)';
  if (own.kind === 'start' && peers.length > 0 && existsSync(join(m.cli.home, '.erlang.cookie'))) {
    const cap = Math.min(60_000, ctx.deadline.remaining() * 0.5);
    const r = await cli(m.cli, 'rabbitmq-upgrade', m.ctx.params.nodename, ['drain'], ctx.deadline, cap);
    drained = r.exitCode === 0 ? 'drained' : `drain failed (${failure(r)})`;
    if (r.exitCode !== 0) ctx.log.warn(`${m.self}: ${drained}; shutting down anyway`);
  }
  const how = await shutDown(m.ctx, brokerProcesses(m.ctx.params));
  ctx.log.info(`${m.self}: ${drained}, ${how}`);
  return { code: OCF.SUCCESS, note: `${drained}, ${how}` };
}

/** Why a broker whose VM runs does not serve AMQP: paused by pause_minority, booting or stopping. */
async function explainNotServing(m: Member): Promise<string> {
  const r = await cli(m.cli, 'rabbitmqctl', m.ctx.params.nodename, ['cluster_status', '--formatter', 'json'], m.ctx.deadline, 8000).catch(
    () => undefined,
  );
  if (r === undefined) return 'no time left to ask why';
  // RabbitMQ 3.10 answers cluster_status only with the app running: a VM whose app stopped by itself
  // is the pause_minority pause (or a stop or boot in progress), seen in the lab's partition.
  if (r.exitCode !== 0 && /requires the 'rabbit' app to be running/.test(`${r.stdout}\n${r.stderr}`))
    return 'its RabbitMQ app is stopped in a running VM: paused by pause_minority (partitioned from the majority), or stopping or booting';
  if (r.exitCode !== 0) return `its cluster status: ${failure(r)}`;
  try {
    const s = parseClusterStatus(r.stdout);
    const running = s.running.map((e) => nodeOfErlang(e, m.hostMap));
    const members = s.members.map((e) => nodeOfErlang(e, m.hostMap));
    if (!running.includes(m.self))
      return `its RabbitMQ app is stopped in a running VM (paused by pause_minority: partitioned from the majority, or booting), it reaches ${running.join(', ') || 'no member'} of ${members.join(', ')}`;
    // `rabbitmq-upgrade drain` by hand suspends the client listeners until a revive or a restart.
    if (s.maintenance.some((e) => nodeOfErlang(e, m.hostMap) === m.self))
      return 'it is in maintenance mode (drained: its client listeners are suspended); `rabbitmq-upgrade revive` or a restart ends it';
    return `it runs among ${running.join(', ')} of ${members.join(', ')}`;
  } catch {
    return 'its cluster status was unreadable';
  }
}

export async function clusteredMonitor(ctx: Ctx): Promise<Outcome> {
  const m = await member(ctx);
  let s;
  try {
    s = await status(m.ctx);
  } catch (error) {
    // The VM runs (status saw it) yet does not serve: say why, never "not running".
    const vm = brokerProcesses(m.ctx.params).some((p) => isLive(readProcess(p.pid)));
    if (!(error instanceof GenericError) || !vm) throw error;
    // Still booting: RabbitMQ waits for the peers that ran after this node stopped, and bounds that
    // wait itself (the VM exits when none comes, and the monitor then fails).
    const booting = await cli(m.cli, 'rabbitmq-diagnostics', m.ctx.params.nodename, ['is_booting'], ctx.deadline, 8000);
    if (booting.exitCode === 0 && /\bis booting\b/.test(booting.stdout)) {
      return { code: OCF.DEGRADED, reason: 'booting: RabbitMQ waits for the members that ran after this node stopped' };
    }
    // The boot may have ended while is_booting ran (the AMQP listener opens last): look once more.
    const again = await status(m.ctx).catch(() => undefined);
    if (again?.kind !== 'serving') throw new GenericError(`${error.message}: ${await explainNotServing(m)}`, { cause: error });
    s = again;
  }
  if (s.kind === 'stopped') {
    if (s.crashed && !ctx.probe) throw new GenericError(`broker ${m.ctx.params.nodename} is gone: ${s.detail}`);
    return { code: OCF.NOT_RUNNING, note: s.detail };
  }
  if (ctx.depth < 10) return { code: OCF.SUCCESS, note: `node ${m.ctx.params.nodename} serving (pid ${s.process.pid})` };
  try {
    await roundTrip(m.ctx);
  } catch (error) {
    // Depth 0 just saw this node serve AMQP: a round trip that does not finish in time is the cluster
    // waiting on a peer Erlang has not yet seen die (failing here would restart the healthy members
    // too, as the anchor's 40 s monitor timeouts did), not this node failing.
    if (!(error instanceof RoundTripTimeout)) throw error;
    return { code: OCF.DEGRADED, reason: `${error.message}: the cluster may be waiting on a member that just went` };
  }
  const node = m.ctx.params.nodename;
  const [view, critical] = await Promise.all([
    cli(m.cli, 'rabbitmqctl', node, ['cluster_status', '--formatter', 'json'], ctx.deadline, STATUS_CAP_MS),
    cli(m.cli, 'rabbitmq-queues', node, ['check_if_node_is_quorum_critical'], ctx.deadline, STATUS_CAP_MS),
  ]);
  // A view that does not come in time is a peer Erlang has not yet seen die, not this node failing.
  if (view.exitCode !== 0) return { code: OCF.DEGRADED, reason: `round trip ok; cluster view unavailable: ${failure(view)}` };
  const record = parseClusterStatus(view.stdout);
  const names = (xs: readonly string[]) => xs.map((e) => nodeOfErlang(e, m.hostMap));
  const quorumCritical = critical.exitCode !== 0 && !critical.timedOut ? `quorum-critical: ${failure(critical)}` : undefined;
  const verdict = assessCluster(
    m.self,
    {
      members: names(record.members),
      running: names(record.running),
      partitions: names(record.partitions),
      alarms: record.alarms,
      maintenance: names(record.maintenance),
    },
    quorumCritical,
  );
  if (verdict.kind === 'failed') throw new GenericError(verdict.reason);
  if (verdict.kind === 'degraded') return { code: OCF.DEGRADED, reason: verdict.reason };
  return { code: OCF.SUCCESS, note: `node ${node} serving, round trip ok, ${verdict.note}` };
}
