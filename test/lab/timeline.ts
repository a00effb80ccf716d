/**
 * What the cluster did after a crash, read from the nodes' Pacemaker logs: when the node was lost,
 * fenced, the database promoted and the VIP started, as seconds after the crash. For test output and
 * benchmarks; nothing is asserted on it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from './lab.ts';

const EVENT_NAMES = ['lost', 'fenced', 'promoted', 'vip'] as const;

function events(resource: string): readonly (readonly [(typeof EVENT_NAMES)[number], RegExp])[] {
  return [
    ['lost', /Node \S+ state is now lost/],
    ['fenced', /was terminated \(off\)/],
    ['promoted', new RegExp(`Result of promote operation for ${resource} on \\S+: ok`)],
    ['vip', /Result of start operation for vip on \S+: ok/],
  ];
}

export type Timeline = Partial<Record<(typeof EVENT_NAMES)[number], number>>;

/** "Dec 02 06:35:20.704 n1 ..." (UTC, this year) as epoch ms. */
function stamp(line: string, year: number): number | undefined {
  const m = /^([A-Z][a-z]{2}) (\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) /.exec(line);
  if (!m) return undefined;
  const month = 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(m[1]!) / 3;
  return Date.UTC(year, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** A node's Pacemaker log (its controller's lines and its agents'), line by line; none before it exists. */
export function pacemakerLogLines(lab: Lab, node: string): string[] {
  const log = join(lab.nodeDir(node), 'log-pacemaker', 'pacemaker.log');
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n') : [];
}

/** Every node's Pacemaker log lines stamped at or after `since` (epoch ms), with their stamp. */
function* linesAfter(lab: Lab, since: number): Generator<{ line: string; at: number }> {
  const year = new Date(since).getUTCFullYear();
  for (const node of lab.names) {
    for (const line of pacemakerLogLines(lab, node)) {
      const at = stamp(line, year);
      if (at !== undefined && at >= since) yield { line, at };
    }
  }
}

/** `resource`: the promotable primitive whose promotion counts (db for mysql, galera for galera). */
export function failoverTimeline(lab: Lab, crashedAt: number, resource = 'db'): Timeline {
  const timeline: Timeline = {};
  for (const { line, at } of linesAfter(lab, crashedAt)) {
    for (const [name, pattern] of events(resource)) {
      if (pattern.test(line) && (timeline[name] === undefined || at < crashedAt + timeline[name]! * 1000))
        timeline[name] = (at - crashedAt) / 1000;
    }
  }
  return timeline;
}

export function describeTimeline(t: Timeline): string {
  return EVENT_NAMES.map((name) => `${name} +${t[name]?.toFixed(2) ?? '?'} s`).join(', ');
}

/** The lines an agent logged through Pacemaker on a node (`tag`: "galera(galera)", "rabbitmq(rabbitmq)"). */
export function agentLogLines(lab: Lab, node: string, tag: string): string[] {
  return pacemakerLogLines(lab, node).filter((l) => l.includes(tag));
}

/** One resource action Pacemaker ran after `since`: seconds after it, from request to result. */
export interface Operation {
  readonly resource: string;
  readonly action: string;
  readonly node: string;
  readonly start: number;
  readonly end: number | undefined;
  readonly result: string | undefined;
}

/** Every start, stop, promote and demote the nodes' controllers ran after `since` (monitors and notifies left out). */
export function operationsAfter(lab: Lab, since: number): Operation[] {
  const open = new Map<string, { start: number }>();
  const ops: Operation[] = [];
  for (const { line, at } of linesAfter(lab, since)) {
    const requested = /Requesting local execution of (start|stop|promote|demote) operation for (\S+) on (\S+)/.exec(line);
    if (requested) open.set(`${requested[1]} ${requested[2]} ${requested[3]}`, { start: (at - since) / 1000 });
    const result = /Result of (start|stop|promote|demote) operation for (\S+) on (\S+): (\S+)/.exec(line);
    if (result) {
      const key = `${result[1]} ${result[2]} ${result[3]}`;
      const begun = open.get(key);
      open.delete(key);
      const end = (at - since) / 1000;
      ops.push({ resource: result[2]!, action: result[1]!, node: result[3]!, start: begun?.start ?? end, end, result: result[4] });
    }
  }
  for (const [key, { start }] of open) {
    const [action, resource, node] = key.split(' ') as [string, string, string];
    ops.push({ resource, action, node, start, end: undefined, result: undefined });
  }
  return ops.sort((a, b) => a.start - b.start);
}

export function describeOperations(ops: readonly Operation[]): string {
  return ops
    .map(
      (o) =>
        `${o.action} ${o.resource}@${o.node} +${o.start.toFixed(2)} s` +
        (o.end === undefined ? ' (no result)' : ` (${(o.end - o.start).toFixed(2)} s${o.result === 'ok' ? '' : `, ${o.result}`})`),
    )
    .join(', ');
}

/**
 * Why the DC threw its plan away from `since` until `untilSeconds` after it: "+4.43 status-2-master-db
 * doing modify …: Transient attribute change". Each abort makes Pacemaker start nothing more until every
 * action in flight has ended, so a long start in flight then delays everything after it.
 */
export function abortsAfter(lab: Lab, since: number, untilSeconds = Infinity): string[] {
  const out: { at: number; text: string }[] = [];
  for (const { line, at } of linesAfter(lab, since)) {
    const m = /Transition (?:\d+ )?aborted(?: by )?(.*)$/.exec(line);
    if (m && at - since <= untilSeconds * 1000) out.push({ at, text: m[1]!.trim().slice(0, 120) });
  }
  return out.sort((a, b) => a.at - b.at).map((a) => `+${((a.at - since) / 1000).toFixed(2)} ${a.text}`);
}
