/**
 * MariaDB GTID positions ("0-1-100,1-2-7": domain-server-sequence, one per replication domain) and
 * how two positions relate. A position is per domain; within a domain sequence numbers only grow.
 * At the end, Position: either flavour's position (MySQL's GTID sets are in gtid-set.ts) behind one API.
 */
import { compareSets, formatEntries, formatGtidSet, parseGtidSet, subtract, union, type GtidSet } from './gtid-set.ts';

export type GtidPosition = ReadonlyMap<number, { readonly server: number; readonly seq: bigint }>;

export function parseGtid(text: string | null | undefined): GtidPosition {
  const position = new Map<number, { server: number; seq: bigint }>();
  for (const part of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)-(\d+)-(\d+)$/.exec(part);
    if (!m) throw new TypeError(`not a MariaDB GTID: ${JSON.stringify(part)}`);
    position.set(Number(m[1]), { server: Number(m[2]), seq: BigInt(m[3]!) });
  }
  return position;
}

export function formatGtid(p: GtidPosition): string {
  return [...p.entries()].sort(([a], [b]) => a - b).map(([d, g]) => `${d}-${g.server}-${g.seq}`).join(',');
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

export type Order = 'equal' | 'ahead' | 'behind' | 'diverged';

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

/**
 * Either flavour's position, so that the agent's decisions need not know which server they run on.
 * MariaDB: one last GTID per domain (furthestOf binlog and slave positions). MySQL: gtid_executed, a set naming every
 * transaction (see gtid-set.ts). The two never meet: a cluster runs one flavour.
 */
export type Flavor = 'mariadb' | 'mysql';
export type Position = { readonly kind: 'mariadb'; readonly gtid: GtidPosition } | { readonly kind: 'mysql'; readonly set: GtidSet };

export function parsePosition(text: string | null | undefined, flavor: Flavor): Position {
  return flavor === 'mysql' ? { kind: 'mysql', set: parseGtidSet(text) } : { kind: 'mariadb', gtid: parseGtid(text) };
}

/** The flavour's own text, one line; the empty position is "" in both. */
export function formatPosition(p: Position): string {
  return p.kind === 'mysql' ? formatGtidSet(p.set) : formatGtid(p.gtid);
}

/** compareGtid or compareSets. Positions of different flavours have no order: comparing them is a bug, and throws. */
export function comparePositions(a: Position, b: Position): Order {
  if (a.kind === 'mariadb' && b.kind === 'mariadb') return compareGtid(a.gtid, b.gtid);
  if (a.kind === 'mysql' && b.kind === 'mysql') return compareSets(a.set, b.set);
  throw new TypeError(`cannot compare a ${a.kind} position with a ${b.kind} one`);
}

/**
 * What `beyond` says, for either flavour: the transactions `local` has that `forkPoint` (the new
 * primary's position when it was promoted) lacks, except those written by the new primary itself.
 * MariaDB: `exceptSource` is its server_id, ranges read "domain-server-first..last" (see beyond).
 * MySQL: `exceptSource` is its server_uuid. A GTID names its writer exactly, so this is
 * GTID_SUBTRACT(local, forkPoint) without the new primary's uuid (tagged or not): what it wrote after
 * the fork reached `local` by replication. Not counted either is what `local` lacks: it will receive
 * it. Each string ("uuid:101-105:110", "uuid:tag:1-3") is a GTID set MySQL accepts, for the operator.
 */
export function errantBeyond(local: Position, forkPoint: Position, exceptSource?: number | string): string[] {
  if (local.kind === 'mariadb' && forkPoint.kind === 'mariadb') {
    if (typeof exceptSource === 'string') throw new TypeError(`a MariaDB writer is a server_id, not ${JSON.stringify(exceptSource)}`);
    return beyond(local.gtid, forkPoint.gtid, exceptSource);
  }
  if (local.kind === 'mysql' && forkPoint.kind === 'mysql') {
    if (typeof exceptSource === 'number') throw new TypeError(`a MySQL writer is a server_uuid, not ${exceptSource}`);
    const except = exceptSource?.toLowerCase();
    const errant = [...subtract(local.set, forkPoint.set)].filter(([key]) => key.split(':')[0] !== except);
    return formatEntries(new Map(errant));
  }
  throw new TypeError(`cannot compare a ${local.kind} position with a ${forkPoint.kind} one`);
}

/**
 * What an instance will have once everything it received is applied. MariaDB: the received position
 * (Gtid_IO_Pos) when it is ahead, else the applied one. MySQL: executed ∪ retrieved, since a GTID set
 * names every transaction.
 */
export function reachablePosition(applied: Position, received: Position): Position {
  if (applied.kind === 'mysql' && received.kind === 'mysql') return { kind: 'mysql', set: union(applied.set, received.set) };
  return comparePositions(received, applied) === 'ahead' ? received : applied;
}
