import { describe, expect, it } from 'vitest';
import { beyond, compareGtid, formatGtid, parseGtid, type Order } from '../../../shared/replication/gtid.ts';

describe('parseGtid', () => {
  it('reads a single-domain position as domain, server and sequence', () => {
    const p = parseGtid('0-1-100');
    expect([...p.entries()]).toEqual([[0, { server: 1, seq: 100n }]]);
  });

  it('reads one entry per replication domain', () => {
    const p = parseGtid('0-1-100,1-2-7');
    expect(p.size).toBe(2);
    expect(p.get(0)).toEqual({ server: 1, seq: 100n });
    expect(p.get(1)).toEqual({ server: 2, seq: 7n });
  });

  it('ignores whitespace and line breaks around entries', () => {
    const p = parseGtid(' 0-1-100 ,\n 1-2-7\t');
    expect(p.get(0)).toEqual({ server: 1, seq: 100n });
    expect(p.get(1)).toEqual({ server: 2, seq: 7n });
  });

  it.each([[''], ['   '], [null], [undefined]])('an empty position (%j) is an empty map', (text) => {
    expect(parseGtid(text).size).toBe(0);
  });

  it('keeps sequences beyond 2^53 exact', () => {
    expect(parseGtid('0-1-18446744073709551615').get(0)?.seq).toBe(18446744073709551615n);
  });

  it.each([
    ['garbage', 'garbage'],
    ['0-1', '0-1'],
    ['0-1-100,abc', 'abc'],
    ['0-1-x', '0-1-x'],
    ['-1-1-1', '-1-1-1'],
    ['3e26a1b2:1-100', '3e26a1b2:1-100'],
  ])('invalid text %j is a TypeError naming the offending entry %j', (text, entry) => {
    expect(() => parseGtid(text)).toThrow(TypeError);
    expect(() => parseGtid(text)).toThrow(`not a MariaDB GTID: "${entry}"`);
  });
});

describe('formatGtid', () => {
  it('writes domains in ascending order', () => {
    expect(formatGtid(parseGtid('10-3-5,1-2-7,0-1-100'))).toBe('0-1-100,1-2-7,10-3-5');
  });

  it('round-trips a parsed position', () => {
    for (const text of ['0-1-100', '0-1-100,1-2-7', '0-1-18446744073709551615,2-9-1']) {
      expect(formatGtid(parseGtid(text))).toBe(text);
    }
  });

  it('an empty position is the empty string', () => {
    expect(formatGtid(parseGtid(''))).toBe('');
  });
});

describe('compareGtid', () => {
  it.each<[string, string, Order, string]>([
    ['0-1-100', '0-1-100', 'equal', 'same position'],
    ['', '', 'equal', 'both empty'],
    ['0-1-100', '0-2-100', 'equal', 'same sequence by another server'],
    ['0-1-101', '0-1-100', 'ahead', 'one more transaction'],
    ['0-1-100', '0-1-101', 'behind', 'one transaction less'],
    ['0-1-100,1-2-7', '0-1-100,1-2-6', 'ahead', 'ahead in one domain, equal in the other'],
    ['0-1-100,1-2-5', '0-1-100,1-2-6', 'behind', 'behind in one domain, equal in the other'],
    ['0-1-101,1-2-5', '0-1-100,1-2-6', 'diverged', 'ahead in one domain, behind in the other'],
    ['0-1-100,1-2-1', '0-1-100', 'ahead', 'a domain the other lacks counts as 0 there'],
    ['0-1-100', '0-1-100,1-2-1', 'behind', 'a domain this one lacks counts as 0 here'],
    ['0-1-100,1-2-0', '0-1-100', 'equal', 'a domain at 0 equals a missing one'],
    ['0-1-101', '0-1-100,1-2-1', 'diverged', 'ahead in one domain, missing another'],
    ['0-1-100', '', 'ahead', 'anything is ahead of nothing'],
    ['', '0-1-1', 'behind', 'nothing is behind anything'],
    ['0-1-9007199254740993', '0-1-9007199254740992', 'ahead', 'sequences beyond 2^53 differing by one'],
    ['0-1-9007199254740992', '0-1-9007199254740993', 'behind', 'sequences beyond 2^53, the other way'],
    ['0-1-18446744073709551615', '0-1-18446744073709551615', 'equal', 'equal 64-bit sequences'],
  ])('%s against %s is %s (%s)', (a, b, order) => {
    expect(compareGtid(parseGtid(a), parseGtid(b))).toBe(order);
  });

  it('is antisymmetric', () => {
    const opposite: Record<Order, Order> = { equal: 'equal', ahead: 'behind', behind: 'ahead', diverged: 'diverged' };
    const positions = ['', '0-1-100', '0-1-101', '0-1-100,1-2-7', '0-1-99,1-2-8', '1-2-7'];
    for (const a of positions) {
      for (const b of positions) {
        expect(compareGtid(parseGtid(b), parseGtid(a))).toBe(opposite[compareGtid(parseGtid(a), parseGtid(b))]);
      }
    }
  });
});

describe('beyond', () => {
  it('lists the transactions written past the fork point as an errant range', () => {
    expect(beyond(parseGtid('0-1-105'), parseGtid('0-1-100'))).toEqual(['0-1-101..105']);
  });

  it('names the writer of the last transaction in the range', () => {
    expect(beyond(parseGtid('0-3-105'), parseGtid('0-1-100'), 2)).toEqual(['0-3-101..105']);
  });

  it('a single errant transaction is a range of one', () => {
    expect(beyond(parseGtid('0-1-101'), parseGtid('0-1-100'), 2)).toEqual(['0-1-101..101']);
  });

  it('does not count transactions written by the except server', () => {
    expect(beyond(parseGtid('0-2-105'), parseGtid('0-1-100'), 2)).toEqual([]);
  });

  it('counts every writer when there is no except server', () => {
    expect(beyond(parseGtid('0-2-105'), parseGtid('0-1-100'))).toEqual(['0-2-101..105']);
  });

  it('lists nothing at the fork point', () => {
    expect(beyond(parseGtid('0-1-100,1-3-7'), parseGtid('0-1-100,1-3-7'), 2)).toEqual([]);
  });

  it('lists nothing behind the fork point', () => {
    expect(beyond(parseGtid('0-1-90,1-3-2'), parseGtid('0-1-100,1-3-7'), 2)).toEqual([]);
  });

  it('lists nothing for an empty local position', () => {
    expect(beyond(parseGtid(''), parseGtid('0-1-100'), 2)).toEqual([]);
  });

  it('a domain missing at the fork point starts from 1', () => {
    expect(beyond(parseGtid('0-1-100,1-1-4'), parseGtid('0-1-100'), 2)).toEqual(['1-1-1..4']);
  });

  it('reports each domain on its own, skipping the except server and those at or behind the fork', () => {
    const local = parseGtid('0-2-120,1-1-9,2-3-50,3-1-4');
    const fork = parseGtid('0-1-100,1-1-7,2-3-50,3-1-6');
    expect(beyond(local, fork, 2)).toEqual(['1-1-8..9']);
  });

  it('keeps sequences beyond 2^53 exact in the range', () => {
    expect(beyond(parseGtid('0-1-9007199254740995'), parseGtid('0-1-9007199254740992'), 2)).toEqual([
      '0-1-9007199254740993..9007199254740995',
    ]);
  });
});
