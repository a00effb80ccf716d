/**
 * Either flavour's position behind one API, so that the agent's decisions need not know which server
 * they run on: MariaDB's GTID positions (gtid.ts) and MySQL's GTID sets (gtid-set.ts).
 */
import { beyond, compareGtid, formatGtid, parseGtid, type GtidPosition } from './gtid.ts';
import { compareSets, formatEntries, formatGtidSet, parseGtidSet, subtract, union, type GtidSet } from './gtid-set.ts';
import type { Order } from './order.ts';

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
