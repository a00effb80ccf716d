/**
 * MariaDB GTID positions ("0-1-100,1-2-7": domain-server-sequence, one per replication domain) and
 * how two positions relate. A position is per domain; within a domain sequence numbers only grow.
 */
import type { Order } from './order.ts';

export type GtidPosition = ReadonlyMap<number, { readonly server: number; readonly seq: bigint }>;

export function parseGtid(text: string | null | undefined): GtidPosition {
  const position = new Map<number, { server: number; seq: bigint }>();
  for (const part of (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d+)-(\d+)-(\d+)$/.exec(part);
    if (!m) throw new TypeError(`not a MariaDB GTID: ${JSON.stringify(part)}`);
    position.set(Number(m[1]), { server: Number(m[2]), seq: BigInt(m[3]!) });
  }
  return position;
}

export function formatGtid(p: GtidPosition): string {
  return [...p.entries()]
    .sort(([a], [b]) => a - b)
    .map(([d, g]) => `${d}-${g.server}-${g.seq}`)
    .join(',');
}

/**
 * Per domain, the GTID with the higher sequence number of the two: what a MariaDB server holds is the
 * furthest of its binary log (gtid_binlog_pos: its own writes, and with log_slave_updates everything it
 * applied) and what it applied as a replica (gtid_slave_pos). gtid_current_pos would choose between the
 * two by whether the last GTID carries the server's own server_id, which a replica does not run under
 * (server-id.ts): the choice is made here, by sequence number, which gtid_strict_mode keeps ordered.
 */
export function furthestOf(a: GtidPosition, b: GtidPosition): GtidPosition {
  const merged = new Map(a);
  for (const [domain, g] of b) {
    const mine = merged.get(domain);
    if (mine === undefined || g.seq > mine.seq) merged.set(domain, g);
  }
  return merged;
}

/** How `a` relates to `b`: ahead when it has everything b has and more, diverged when each has something the other lacks. */
export function compareGtid(a: GtidPosition, b: GtidPosition): Order {
  let ahead = false;
  let behind = false;
  for (const domain of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(domain)?.seq ?? 0n;
    const y = b.get(domain)?.seq ?? 0n;
    if (x > y) ahead = true;
    if (x < y) behind = true;
  }
  return ahead && behind ? 'diverged' : ahead ? 'ahead' : behind ? 'behind' : 'equal';
}

/**
 * Transactions `local` has beyond `forkPoint` (the new primary's position when it was promoted):
 * a returning old primary's writes that never reached anyone else. The last GTID of a domain names
 * its writer: those of server `except` (the primary itself) are not counted.
 */
export function beyond(local: GtidPosition, forkPoint: GtidPosition, except?: number): string[] {
  const errant: string[] = [];
  for (const [domain, g] of local) {
    const base = forkPoint.get(domain)?.seq ?? 0n;
    if (g.seq > base && g.server !== except) errant.push(`${domain}-${g.server}-${base + 1n}..${g.seq}`);
  }
  return errant;
}
