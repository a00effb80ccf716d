/**
 * Pacemaker's view of the cluster, through its own tools: this node's name, the nodes of its
 * partition, whether the partition has quorum, and where a clone runs Promoted. Each call is one
 * bounded fork; a tool that fails answers "unknown", which callers treat as the cautious case.
 */
import type { Deadline } from '../ocf/deadline.ts';
import type { OcfEnvironment } from '../ocf/environment.ts';
import { runCommand } from '../process/command.ts';

/** This node's Pacemaker name: Pacemaker passes it; by hand crm_node says; outside a cluster, the host name. */
export async function ownNodeName(env: OcfEnvironment, deadline: Deadline): Promise<string> {
  const given = env.meta.get('on_node');
  if (given) return given;
  const r = await runCommand('crm_node', ['--name'], deadline, 5000);
  return r.exitCode === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : process.getBuiltinModule('node:os').hostname();
}

export interface Partition {
  /** Nodes in this node's partition. */
  readonly members: readonly string[];
  readonly quorate: boolean;
  /** No cluster stack answers (ocf-tester, a person on a lone machine): this node is all there is. */
  readonly standalone: boolean;
}

/**
 * `underPacemaker`: the caller was run by Pacemaker (it passed the node's name). Then a failing
 * crm_node means an unknown partition without quorum, never a lone machine.
 */
export async function readPartition(self: string, underPacemaker: boolean, deadline: Deadline): Promise<Partition> {
  const [members, quorum] = await Promise.all([
    runCommand('crm_node', ['--partition'], deadline, 5000),
    runCommand('crm_node', ['--quorum'], deadline, 5000),
  ]);
  if (!underPacemaker && members.exitCode !== 0 && quorum.exitCode !== 0 && !quorum.timedOut && !members.timedOut) {
    return { members: [self], quorate: true, standalone: true };
  }
  return {
    members: members.exitCode === 0 ? members.stdout.trim().split(/\s+/).filter(Boolean) : [],
    quorate: quorum.exitCode === 0 && quorum.stdout.trim() === '1',
    standalone: false,
  };
}

/** Nodes crm_resource --locate reports as running `resource` Promoted (any spelling). */
export function parseLocate(text: string): string[] {
  const nodes: string[] = [];
  for (const line of text.split('\n')) {
    const m = /is running on:\s*(\S+)\s+(Promoted|Master)\b/.exec(line);
    if (m) nodes.push(m[1]!);
  }
  return nodes;
}

export async function promotedNodes(resource: string, deadline: Deadline): Promise<string[]> {
  // The node must come from the CIB, not from this agent's environment.
  const r = await runCommand('crm_resource', ['--locate', '--resource', resource], deadline, 5000, [
    'OCF_RESKEY_CRM_meta_on_node',
    'OCF_RESKEY_CRM_meta_on_node_uuid',
  ]);
  return r.exitCode === 0 ? parseLocate(r.stdout) : [];
}

/**
 * Nodes crm_mon reports offline and not unclean: fenced, or shut down cleanly. A node that merely
 * left this partition is unclean until fencing confirms it is down; it may still be running.
 */
export function parseCleanlyOffline(xml: string): string[] {
  const section = /<nodes>([\s\S]*?)<\/nodes>/.exec(xml)?.[1] ?? '';
  const nodes: string[] = [];
  for (const m of section.matchAll(/<node\s([^>]*)\/?>/g)) {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(m[1]!)?.[1];
    if (attr('online') === 'false' && attr('unclean') === 'false' && attr('name')) nodes.push(attr('name')!);
  }
  return nodes;
}

/** Cleanly offline nodes per crm_mon; none when crm_mon does not answer (the cautious case). */
export async function cleanlyOfflineNodes(deadline: Deadline): Promise<string[]> {
  const r = await runCommand('crm_mon', ['--one-shot', '--output-as=xml', '--include=none,nodes'], deadline, 5000);
  return r.exitCode === 0 ? parseCleanlyOffline(r.stdout) : [];
}
