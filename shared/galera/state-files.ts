/**
 * Galera's own records in the datadir: grastate.dat (the cluster history this node belongs to, the last
 * committed seqno it wrote at a clean shutdown, and whether it may bootstrap) and gvwstate.dat (the
 * last primary component this node was a member of, left behind only when it did not shut down
 * cleanly). Parsers are pure; the readers tolerate a missing file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The uuid of no history: a node that never joined a cluster (or whose state was dropped). */
export const NO_HISTORY = '00000000-0000-0000-0000-000000000000';

export interface GrastateRecord {
  readonly uuid: string;
  /** -1: unknown (the server did not shut down cleanly, or is running). */
  readonly seqno: number;
  readonly safeToBootstrap: boolean;
}

export function parseGrastate(text: string): GrastateRecord {
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(text)?.[1];
  const seqno = Number(field('seqno') ?? '-1');
  return {
    uuid: field('uuid') ?? NO_HISTORY,
    seqno: Number.isInteger(seqno) ? seqno : -1,
    safeToBootstrap: field('safe_to_bootstrap') === '1',
  };
}

/** The last primary component a node saw: view sequence number, its own gcomm uuid and the members'. */
export interface ComponentRecord {
  readonly self: string;
  readonly viewSeq: number;
  readonly members: readonly string[];
}

export function parseGvwstate(text: string): ComponentRecord | undefined {
  const self = /^my_uuid:\s*(\S+)/m.exec(text)?.[1];
  // view_id: <type> <representative uuid> <seq>
  const view = /^view_id:\s*\S+\s+\S+\s+(\d+)/m.exec(text)?.[1];
  const members = [...text.matchAll(/^member:\s*(\S+)/gm)].map((m) => m[1]!);
  if (!self || view === undefined || members.length === 0) return undefined;
  return { self, viewSeq: Number(view), members };
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function readGrastate(datadir: string): GrastateRecord | undefined {
  const text = readOrUndefined(join(datadir, 'grastate.dat'));
  return text === undefined ? undefined : parseGrastate(text);
}

export function readGvwstate(datadir: string): ComponentRecord | undefined {
  const text = readOrUndefined(join(datadir, 'gvwstate.dat'));
  return text === undefined ? undefined : parseGvwstate(text);
}

/** The same file with safe_to_bootstrap set: MariaDB refuses --wsrep-new-cluster without it. */
export function withSafeToBootstrap(text: string): string {
  return /^safe_to_bootstrap:/m.test(text)
    ? text.replace(/^safe_to_bootstrap:.*$/m, 'safe_to_bootstrap: 1')
    : `${text.replace(/\n?$/, '\n')}safe_to_bootstrap: 1\n`;
}
