import { describe, expect, it } from 'vitest';
import type { Order } from '../../../shared/replication/order.ts';
import {
  compareSets,
  count,
  formatEntries,
  formatGtidSet,
  isEmpty,
  isSubset,
  parseGtidSet,
  subtract,
  union,
} from '../../../shared/replication/gtid-set.ts';

const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const B = '2174b383-5441-11e8-b90a-c80aa9429562';
const C = 'c0ffee00-0000-4000-8000-000000000001';

/** A set as its plain entries, for comparing with toEqual. */
function entries(text: string): [string, [bigint, bigint][]][] {
  return [...parseGtidSet(text)].map(([k, v]) => [k, v.map(([f, l]) => [f, l])]);
}

describe('parseGtidSet', () => {
  it('reads one uuid with one interval', () => {
    expect(entries(`${A}:1-5`)).toEqual([[A, [[1n, 5n]]]]);
  });

  it('reads several intervals of one uuid and several uuids, keyed in uuid order', () => {
    expect(entries(`${A}:1-5:11-18,${B}:1-27`)).toEqual([
      [B, [[1n, 27n]]],
      [
        A,
        [
          [1n, 5n],
          [11n, 18n],
        ],
      ],
    ]);
  });

  it('a single transaction is an interval of one', () => {
    expect(entries(`${A}:7`)).toEqual([[A, [[7n, 7n]]]]);
  });

  it('reads the set as MySQL prints it, a line break after each comma', () => {
    expect(formatGtidSet(parseGtidSet(`${A}:1-5:11-18,\n${B}:1-27`))).toBe(`${B}:1-27,${A}:1-5:11-18`);
  });

  it('ignores whitespace around entries, colons and dashes', () => {
    expect(formatGtidSet(parseGtidSet(` ${A} : 1 - 5 : 11-18 ,\r\n\t${B}:1-27 \n`))).toBe(`${B}:1-27,${A}:1-5:11-18`);
  });

  it('takes uuids in any case and keys them in lower case', () => {
    expect(entries(`${A.toUpperCase()}:1-5`)).toEqual([[A, [[1n, 5n]]]]);
  });

  it('joins the intervals of a uuid given twice, whatever its case', () => {
    expect(entries(`${A}:1-5,${A.toUpperCase()}:6-9`)).toEqual([[A, [[1n, 9n]]]]);
  });

  it('keys a tagged GTID as uuid:tag, apart from the untagged sequence of the same uuid', () => {
    expect(entries(`${A}:1-5:batch:1-3`)).toEqual([
      [A, [[1n, 5n]]],
      [`${A}:batch`, [[1n, 3n]]],
    ]);
  });

  it('a tag applies to the intervals after it, up to the next tag', () => {
    expect(entries(`${A}:Batch:1-3:7:_nightly:4`)).toEqual([
      [`${A}:_nightly`, [[4n, 4n]]],
      [
        `${A}:batch`,
        [
          [1n, 3n],
          [7n, 7n],
        ],
      ],
    ]);
  });

  it('reads tagged GTIDs written one uuid entry per tag, as the MySQL manual does', () => {
    expect(formatGtidSet(parseGtidSet(`${A.toUpperCase()}:Domain_1:1-3:15-21, ${A.toUpperCase()}:Domain_2:8-52`))).toBe(
      `${A}:domain_1:1-3:15-21:domain_2:8-52`,
    );
  });

  it.each([[''], ['  \n '], [null], [undefined]])('an empty value (%j) is the empty set', (text) => {
    expect(parseGtidSet(text).size).toBe(0);
    expect(isEmpty(parseGtidSet(text))).toBe(true);
  });

  it('keeps sequence numbers beyond 2^53 exact, up to 2^63-1', () => {
    expect(entries(`${A}:9007199254740993-9223372036854775807`)).toEqual([[A, [[9007199254740993n, 9223372036854775807n]]]]);
  });

  it.each([
    ['garbage', 'garbage'],
    ['0-1-100', '0-1-100'],
    [`${A}`, A],
    [`${A}:`, `${A}:`],
    [`${A}:1-5,${B}`, B],
    [`${A}:0`, `${A}:0`],
    [`${A}:0-5`, `${A}:0-5`],
    [`${A}:5-3`, `${A}:5-3`],
    [`${A}:1-9223372036854775808`, `${A}:1-9223372036854775808`],
    [`${A}:1-x`, `${A}:1-x`],
    [`${A}:-1`, `${A}:-1`],
    [`${A}:tag`, `${A}:tag`],
    [`${A}:tag:other:1`, `${A}:tag:other:1`],
    [`${A}:1tag:1`, `${A}:1tag:1`],
    [`${A}:${'t'.repeat(33)}:1`, `${A}:${'t'.repeat(33)}:1`],
    ['3e11fa47-71ca-11e1-9e33:1-5', '3e11fa47-71ca-11e1-9e33:1-5'],
    [`${A.slice(0, -1)}g:1-5`, `${A.slice(0, -1)}g:1-5`],
  ])('invalid text %j is a TypeError naming the offending entry %j', (text, entry) => {
    expect(() => parseGtidSet(text)).toThrow(TypeError);
    expect(() => parseGtidSet(text)).toThrow(`not a MySQL GTID set: ${JSON.stringify(entry)}`);
  });

  it('a tag of 32 characters is the longest there is', () => {
    expect([...parseGtidSet(`${A}:${'t'.repeat(32)}:1`).keys()]).toEqual([`${A}:${'t'.repeat(32)}`]);
  });
});

describe('merging intervals', () => {
  it.each([
    ['1-5:3-9', '1-9', 'overlapping'],
    ['1-5:6-9', '1-9', 'adjacent'],
    ['1-5:5', '1-5', 'a transaction already in an interval'],
    ['2-3:1-10', '1-10', 'one inside another'],
    ['11-18:1-5', '1-5:11-18', 'out of order but apart'],
    ['7:1:2:3:5:6', '1-3:5-7', 'single transactions'],
    ['1-5:7-9', '1-5:7-9', 'a gap of one stays a gap'],
  ])('%s becomes %s (%s)', (given, merged) => {
    expect(formatGtidSet(parseGtidSet(`${A}:${given}`))).toBe(`${A}:${merged}`);
  });
});

describe('formatGtidSet', () => {
  it('writes uuids in order, each once, untagged intervals before its tags and tags in order', () => {
    const set = parseGtidSet(`${A}:zz:1,${B}:1-27,${A}:aa:2-3,${A}:1-5:11-18`);
    expect(formatGtidSet(set)).toBe(`${B}:1-27,${A}:1-5:11-18:aa:2-3:zz:1`);
  });

  it('writes a uuid that has only tagged GTIDs with its first tag right after it', () => {
    expect(formatGtidSet(parseGtidSet(`${A}:t:1-3`))).toBe(`${A}:t:1-3`);
  });

  it('round-trips canonical text', () => {
    for (const text of [`${A}:1-5`, `${B}:1-27,${A}:1-5:11-18`, `${A}:7`, `${A}:1-5:batch:1-3`, `${A}:9223372036854775807`]) {
      expect(formatGtidSet(parseGtidSet(text))).toBe(text);
    }
  });

  it('the empty set is the empty string', () => {
    expect(formatGtidSet(parseGtidSet(''))).toBe('');
  });
});

describe('formatEntries', () => {
  it('writes each uuid and each tagged sequence as a GTID set of its own', () => {
    expect(formatEntries(parseGtidSet(`${A}:1-5:11:batch:1-3,${B}:4`))).toEqual([`${B}:4`, `${A}:1-5:11`, `${A}:batch:1-3`]);
  });
});

describe('subtract', () => {
  const minus = (a: string, b: string) => formatGtidSet(subtract(parseGtidSet(a), parseGtidSet(b)));

  it.each([
    [`${A}:1-10`, `${A}:1-10`, '', 'equal sets leave nothing'],
    [`${A}:1-10`, `${A}:1-5`, `${A}:6-10`, 'the tail'],
    [`${A}:1-10`, `${A}:6-10`, `${A}:1-5`, 'the head'],
    [`${A}:1-10`, `${A}:4-6`, `${A}:1-3:7-10`, 'a hole in the middle'],
    [`${A}:1-10`, `${A}:5`, `${A}:1-4:6-10`, 'a single transaction'],
    [`${A}:1-5:11-18`, `${A}:3-12`, `${A}:1-2:13-18`, 'across two intervals'],
    [`${A}:1-20`, `${A}:2-3:5:8-9:15-30`, `${A}:1:4:6-7:10-14`, 'several holes, the last past the end'],
    [`${A}:1-5`, `${A}:1-100`, '', 'a superset leaves nothing'],
    [`${A}:1-5`, `${B}:1-5`, `${A}:1-5`, 'another uuid takes nothing away'],
    [`${A}:1-5:t:1-5`, `${A}:1-5`, `${A}:t:1-5`, 'the untagged sequence takes nothing from a tagged one'],
    [`${A}:1-5,${B}:1-9`, `${A}:1-5,${B}:1-7`, `${B}:8-9`, 'a uuid emptied disappears'],
    [`${A}:1-5`, '', `${A}:1-5`, 'nothing to take away'],
    ['', `${A}:1-5`, '', 'nothing to take from'],
  ])('%s minus %s is %j (%s)', (a, b, result) => {
    expect(minus(a, b)).toBe(result);
  });

  it('leaves no empty entry behind', () => {
    expect(subtract(parseGtidSet(`${A}:1-5,${B}:1`), parseGtidSet(`${A}:1-5`)).has(A)).toBe(false);
  });
});

describe('union', () => {
  it('joins and merges the transactions of both, as a replica holds once it has applied what it received', () => {
    const executed = parseGtidSet(`${A}:1-100,${B}:1-4`);
    const retrieved = parseGtidSet(`${A}:90-105,${C}:1`);
    expect(formatGtidSet(union(executed, retrieved))).toBe(`${B}:1-4,${A}:1-105,${C}:1`);
  });
});

describe('isSubset', () => {
  it.each([
    [`${A}:1-5`, `${A}:1-10`, true],
    [`${A}:1-10`, `${A}:1-10`, true],
    ['', `${A}:1-10`, true],
    ['', '', true],
    [`${A}:1-10`, `${A}:1-5`, false],
    [`${A}:5`, `${A}:1-4:6-10`, false],
    [`${A}:1-5`, `${B}:1-5`, false],
    [`${A}:t:1`, `${A}:1`, false],
  ])('%s within %s is %s', (a, b, subset) => {
    expect(isSubset(parseGtidSet(a), parseGtidSet(b))).toBe(subset);
  });
});

describe('compareSets', () => {
  it.each<[string, string, Order, string]>([
    [`${A}:1-5:11-18,${B}:1-27`, `${B}:1-27,\n${A}:11-18:1-5`, 'equal', 'the same set written differently'],
    ['', '', 'equal', 'both empty'],
    [`${A}:1-101`, `${A}:1-100`, 'ahead', 'one more transaction'],
    [`${A}:1-100`, `${A}:1-101`, 'behind', 'one transaction less'],
    [`${A}:1-100,${B}:1-7`, `${A}:1-100,${B}:1-6`, 'ahead', 'ahead for one uuid, equal for the other'],
    [`${A}:1-100,${B}:1`, `${A}:1-100`, 'ahead', 'a uuid the other has never seen'],
    [`${A}:1-101,${B}:1-5`, `${A}:1-100,${B}:1-6`, 'diverged', 'ahead for one uuid, behind for the other'],
    [`${A}:1-100,${B}:1`, `${A}:1-100,${C}:1`, 'diverged', 'each has a writer the other lacks'],
    [`${A}:1-10`, `${A}:1-4:6-10`, 'ahead', 'the other missed a transaction in the middle'],
    [`${A}:1-4:6-10`, `${A}:1-10`, 'behind', 'missing a transaction in the middle'],
    [`${A}:1-4:6-12`, `${A}:1-10`, 'diverged', 'a higher last transaction but a hole in the middle'],
    [`${A}:1-5`, `${A}:1-5:t:1`, 'behind', 'a tagged transaction counts as one'],
    [`${A}:1-5`, '', 'ahead', 'anything is ahead of nothing'],
  ])('%s against %s is %s (%s)', (a, b, order) => {
    expect(compareSets(parseGtidSet(a), parseGtidSet(b))).toBe(order);
  });

  it('is antisymmetric', () => {
    const opposite: Record<Order, Order> = { equal: 'equal', ahead: 'behind', behind: 'ahead', diverged: 'diverged' };
    const sets = ['', `${A}:1-100`, `${A}:1-101`, `${A}:1-50:52-101`, `${A}:1-100,${B}:1-7`, `${B}:1-7`, `${A}:1-100:t:1`];
    for (const a of sets) {
      for (const b of sets) {
        expect(compareSets(parseGtidSet(b), parseGtidSet(a))).toBe(opposite[compareSets(parseGtidSet(a), parseGtidSet(b))]);
      }
    }
  });
});

describe('count', () => {
  it('counts every transaction of every interval, uuid and tag', () => {
    expect(count(parseGtidSet(`${A}:1-5:11-18:t:3,${B}:1-27`))).toBe(5n + 8n + 1n + 27n);
  });

  it('counts overlapping intervals once', () => {
    expect(count(parseGtidSet(`${A}:1-5:3-7`))).toBe(7n);
  });

  it('the empty set has none', () => {
    expect(count(parseGtidSet(''))).toBe(0n);
  });

  it('stays exact past 2^53', () => {
    expect(count(parseGtidSet(`${A}:1-9223372036854775807`))).toBe(9223372036854775807n);
  });
});

describe('isEmpty', () => {
  it('a set with a transaction is not empty', () => {
    expect(isEmpty(parseGtidSet(`${A}:1`))).toBe(false);
  });

  it('what is left of a set minus itself is empty', () => {
    const set = parseGtidSet(`${A}:1-5,${B}:7:t:1`);
    expect(isEmpty(subtract(set, set))).toBe(true);
  });
});
