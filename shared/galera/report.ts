/**
 * A node's position as it reports it to the others before any server runs: its history, last committed
 * seqno, whether Galera marked it safe to bootstrap, and its last primary component. Published as one
 * private node attribute; the text format is plain so attrd_updater's output needs no unquoting.
 */
import { NO_HISTORY, type ComponentRecord } from './state-files.ts';

export interface Report {
  /** The cluster history (grastate uuid); NO_HISTORY for a node that holds none. */
  readonly uuid: string;
  /** Last committed seqno, -1 when it holds no state. */
  readonly seqno: number;
  readonly safeToBootstrap: boolean;
  /** From gvwstate.dat: the last primary component, when the node did not leave it cleanly. */
  readonly component: ComponentRecord | undefined;
  /** Epoch seconds when the position was taken. */
  readonly at: number;
}

/** A node with no state joins by full state transfer; it never bootstraps while a node with state exists. */
export function isStateless(r: Report): boolean {
  return r.uuid === NO_HISTORY || r.seqno < 0;
}

export function formatReport(r: Report): string {
  const parts = [`${r.uuid}:${r.seqno}`, `safe=${r.safeToBootstrap ? 1 : 0}`, `at=${r.at}`];
  if (r.component) parts.push(`view=${r.component.viewSeq}`, `me=${r.component.self}`, `members=${r.component.members.join(',')}`);
  return parts.join(' ');
}

export function parseReport(text: string): Report | undefined {
  const [position, ...fields] = text.trim().split(/\s+/);
  const m = /^([0-9a-f-]{36}):(-?\d+)$/.exec(position ?? '');
  if (!m) return undefined;
  const f = new Map(fields.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
  const view = f.get('view');
  const self = f.get('me');
  const members = f.get('members');
  return {
    uuid: m[1]!,
    seqno: Number(m[2]),
    safeToBootstrap: f.get('safe') === '1',
    at: Number(f.get('at') ?? '0'),
    component:
      view !== undefined && self && members ? { viewSeq: Number(view), self, members: members.split(',').filter(Boolean) } : undefined,
  };
}

export function describeReport(r: Report): string {
  return isStateless(r) ? 'no state' : `seqno ${r.seqno}${r.safeToBootstrap ? ' (safe_to_bootstrap)' : ''}`;
}
