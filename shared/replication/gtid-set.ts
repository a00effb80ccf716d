/**
 * MySQL GTID sets, as in @@global.gtid_executed or Retrieved_Gtid_Set:
 * "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:11-18,2174b383-5441-11e8-b90a-c80aa9429562:1-27".
 * Unlike a MariaDB position, a set names every transaction: a replica may miss one in the middle,
 * so relations between sets are set relations, not "the higher sequence wins".
 */
import type { Order } from './order.ts';

/** First and last sequence number, both included. */
export type Interval = readonly [first: bigint, last: bigint];

/**
 * Key: the source's server_uuid in lower case, or "uuid:tag" for MySQL 8.4 tagged GTIDs (a tag is a
 * separate sequence from the same source: uuid:7 and uuid:batch:7 are different transactions).
 * Value: sorted, merged (neither overlapping nor adjacent) intervals, never empty. The functions
 * here rely on that shape: build sets with parseGtidSet or the operations below, not by hand.
 */
export type GtidSet = ReadonlyMap<string, readonly Interval[]>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** As MySQL takes them: up to 32 letters, digits and underscores, not starting with a digit; case-insensitive. */
const TAG = /^[a-z_][a-z0-9_]{0,31}$/i;
const INTERVAL = /^(\d+)(?:\s*-\s*(\d+))?$/;
/** MySQL's sequence numbers are signed 64-bit and start at 1. */
const MAX_GNO = (1n << 63n) - 1n;

/** Sort and merge; overlapping and adjacent intervals (1-5 and 6-9) become one, as MySQL stores them. */
function normalize(intervals: Iterable<Interval>): Interval[] {
  const sorted = [...intervals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const merged: [bigint, bigint][] = [];
  for (const [first, last] of sorted) {
    const top = merged.at(-1);
    if (top && first <= top[1] + 1n) {
      if (last > top[1]) top[1] = last;
    } else {
      merged.push([first, last]);
    }
  }
  return merged;
}

/** Keys in MySQL's order: by uuid, the untagged sequence before the tags, tags alphabetically. */
function sorted(entries: Iterable<[string, Interval[]]>): GtidSet {
  return new Map([...entries].filter(([, v]) => v.length > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A GTID set's text; whitespace and the line breaks MySQL puts after commas are ignored, a uuid may
 * come more than once (its intervals are joined), and "" or NULL is the empty set. Within a uuid
 * entry a tag applies to the intervals after it, as MySQL prints "uuid:1-5:tag:1-3".
 */
export function parseGtidSet(text: string | null | undefined): GtidSet {
  const found = new Map<string, Interval[]>();
  for (const part of (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const bad = (why: string) => new TypeError(`not a MySQL GTID set: ${JSON.stringify(part)} (${why})`);
    const [uuid = '', ...rest] = part.split(':').map((p) => p.trim());
    if (!UUID.test(uuid)) throw bad(`${JSON.stringify(uuid)} is not a uuid`);
    let key = uuid.toLowerCase();
    let previous: 'uuid' | 'tag' | 'interval' = 'uuid';
    for (const piece of rest) {
      const m = INTERVAL.exec(piece);
      if (m) {
        const first = BigInt(m[1]!);
        const last = m[2] === undefined ? first : BigInt(m[2]);
        if (first < 1n || last > MAX_GNO || last < first) throw bad(`${JSON.stringify(piece)} is not an interval within 1-${MAX_GNO}`);
        found
          .set(key, found.get(key) ?? [])
          .get(key)!
          .push([first, last]);
        previous = 'interval';
      } else if (TAG.test(piece)) {
        if (previous === 'tag') throw bad(`no interval before ${JSON.stringify(piece)}`);
        key = `${uuid.toLowerCase()}:${piece.toLowerCase()}`;
        previous = 'tag';
      } else {
        throw bad(`${JSON.stringify(piece)} is neither an interval nor a tag`);
      }
    }
    // "uuid" or "uuid:tag" alone names no transaction: surely a truncated value, not an empty one.
    if (previous !== 'interval') throw bad('no interval');
  }
  return sorted([...found].map(([k, v]) => [k, normalize(v)]));
}

function formatIntervals(intervals: readonly Interval[]): string {
  return intervals.map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`)).join(':');
}

/** The uuid and the tag, if any, of a key. */
function split(key: string): [uuid: string, tag: string | undefined] {
  const colon = key.indexOf(':');
  return colon < 0 ? [key, undefined] : [key.slice(0, colon), key.slice(colon + 1)];
}

/**
 * As MySQL prints a set, minus its line breaks (this text goes into node attributes and cluster
 * properties, one line): lower-case uuids in order, each once, its tags after its untagged
 * intervals ("uuid:1-5:tag:1-3"), a single transaction as "7". The empty set is "".
 */
export function formatGtidSet(set: GtidSet): string {
  const byUuid = new Map<string, string[]>();
  for (const [key, intervals] of set) {
    const [uuid, tag] = split(key);
    const pieces = byUuid.get(uuid) ?? [];
    pieces.push(tag === undefined ? formatIntervals(intervals) : `${tag}:${formatIntervals(intervals)}`);
    byUuid.set(uuid, pieces);
  }
  return [...byUuid]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([uuid, pieces]) => [uuid, ...pieces].join(':'))
    .join(',');
}

/** Each key on its own ("uuid:1-5", "uuid:tag:1-3"): each string is a GTID set MySQL accepts, and so is their join by ','. */
export function formatEntries(set: GtidSet): string[] {
  return [...set].map(([key, intervals]) => `${key}:${formatIntervals(intervals)}`);
}

/** Sequence numbers of `a` not in `b`, both sorted and merged. */
function minus(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const [first, last] of a) {
    let from = first;
    while (j < b.length && b[j]![1] < from) j++;
    for (let k = j; k < b.length && b[k]![0] <= last && from <= last; k++) {
      const [bf, bl] = b[k]!;
      if (bf > from) out.push([from, bf - 1n]);
      from = bl + 1n;
    }
    if (from <= last) out.push([from, last]);
  }
  return out;
}

/** GTID_SUBTRACT(a, b): the transactions of `a` that `b` lacks. */
export function subtract(a: GtidSet, b: GtidSet): GtidSet {
  return sorted([...a].map(([key, intervals]) => [key, minus(intervals, b.get(key) ?? [])]));
}

/** GTID_UNION(a, b): e.g. gtid_executed with Retrieved_Gtid_Set, what a replica holds once it has applied what it received. */
export function union(a: GtidSet, b: GtidSet): GtidSet {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return sorted([...keys].map((key) => [key, normalize([...(a.get(key) ?? []), ...(b.get(key) ?? [])])]));
}

export function isEmpty(set: GtidSet): boolean {
  for (const intervals of set.values()) if (intervals.length > 0) return false;
  return true;
}

/** GTID_SUBSET(a, b): every transaction of `a` is in `b`. */
export function isSubset(a: GtidSet, b: GtidSet): boolean {
  return isEmpty(subtract(a, b));
}

/**
 * How `a` relates to `b`, as compareGtid does for MariaDB: ahead when it holds all of b and more,
 * diverged when each holds a transaction the other lacks, even a single one in the middle.
 */
export function compareSets(a: GtidSet, b: GtidSet): Order {
  const ahead = !isSubset(a, b);
  const behind = !isSubset(b, a);
  return ahead && behind ? 'diverged' : ahead ? 'ahead' : behind ? 'behind' : 'equal';
}

/** The number of transactions in the set. */
export function count(set: GtidSet): bigint {
  let n = 0n;
  for (const intervals of set.values()) for (const [first, last] of intervals) n += last - first + 1n;
  return n;
}
