import { describe, expect, it } from 'vitest';
import { beyond, compareGtid, formatGtid, furthestOf, parseGtid } from '../../../shared/replication/gtid.ts';
import { type Order } from '../../../shared/replication/order.ts';
import { comparePositions, errantBeyond, formatPosition, parsePosition } from '../../../shared/replication/position.ts';

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

const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const B = '2174b383-5441-11e8-b90a-c80aa9429562';
const C = 'c0ffee00-0000-4000-8000-000000000001';

describe('parsePosition and formatPosition', () => {
  it('reads MariaDB text as a MariaDB position, as parseGtid does', () => {
    const p = parsePosition('0-1-100,1-2-7', 'mariadb');
    expect(p).toEqual({ kind: 'mariadb', gtid: parseGtid('0-1-100,1-2-7') });
    expect(formatPosition(p)).toBe('0-1-100,1-2-7');
  });

  it('reads MySQL text as a GTID set', () => {
    const p = parsePosition(`${A.toUpperCase()}:1-5:11-18,\n${B}:1-27`, 'mysql');
    expect(p.kind).toBe('mysql');
    expect(formatPosition(p)).toBe(`${B}:1-27,${A}:1-5:11-18`);
  });

  it.each<['mariadb' | 'mysql']>([['mariadb'], ['mysql']])('an empty %s position is written as the empty string', (flavor) => {
    expect(formatPosition(parsePosition(null, flavor))).toBe('');
  });

  it("refuses the other flavour's text", () => {
    expect(() => parsePosition(`${A}:1-5`, 'mariadb')).toThrow(TypeError);
    expect(() => parsePosition('0-1-100', 'mysql')).toThrow(TypeError);
  });
});

describe('comparePositions', () => {
  it('compares MariaDB positions as compareGtid does', () => {
    expect(comparePositions(parsePosition('0-1-101,1-2-5', 'mariadb'), parsePosition('0-1-100,1-2-6', 'mariadb'))).toBe('diverged');
    expect(comparePositions(parsePosition('0-1-101', 'mariadb'), parsePosition('0-1-100', 'mariadb'))).toBe('ahead');
  });

  it('compares MySQL positions as sets, so a hole in the middle counts', () => {
    expect(comparePositions(parsePosition(`${A}:1-10`, 'mysql'), parsePosition(`${A}:1-4:6-10`, 'mysql'))).toBe('ahead');
    expect(comparePositions(parsePosition(`${A}:1-4:6-12`, 'mysql'), parsePosition(`${A}:1-10`, 'mysql'))).toBe('diverged');
  });

  it('positions of different flavours do not compare: a TypeError', () => {
    expect(() => comparePositions(parsePosition('', 'mariadb'), parsePosition('', 'mysql'))).toThrow(TypeError);
    expect(() => comparePositions(parsePosition('', 'mysql'), parsePosition('', 'mariadb'))).toThrow(
      'cannot compare a mysql position with a mariadb one',
    );
  });
});

describe('errantBeyond', () => {
  const mariadb = (text: string) => parsePosition(text, 'mariadb');
  const mysql = (text: string) => parsePosition(text, 'mysql');

  it('on MariaDB, says what beyond says, the except source being a server_id', () => {
    const local = '0-2-120,1-1-9,2-3-50,3-1-4';
    const fork = '0-1-100,1-1-7,2-3-50,3-1-6';
    expect(errantBeyond(mariadb(local), mariadb(fork), 2)).toEqual(beyond(parseGtid(local), parseGtid(fork), 2));
    expect(errantBeyond(mariadb(local), mariadb(fork), 2)).toEqual(['1-1-8..9']);
    expect(errantBeyond(mariadb('0-2-105'), mariadb('0-1-100'))).toEqual(['0-2-101..105']);
  });

  it('on MySQL, lists the transactions the fork point lacks, one GTID set per source', () => {
    expect(errantBeyond(mysql(`${A}:1-105,${B}:1-3`), mysql(`${A}:1-100`), C)).toEqual([`${B}:1-3`, `${A}:101-105`]);
  });

  it("on MySQL, does not count the new primary's own transactions, tagged or not, whatever the case of its uuid", () => {
    const local = mysql(`${A}:1-100,${C}:1-50:batch:1-2`);
    const fork = mysql(`${A}:1-100,${C}:1-40`);
    expect(errantBeyond(local, fork, C.toUpperCase())).toEqual([]);
  });

  it('on MySQL, counts every source when there is no except source', () => {
    expect(errantBeyond(mysql(`${A}:1-100,${C}:1-50`), mysql(`${A}:1-100,${C}:1-40`))).toEqual([`${C}:41-50`]);
  });

  it('on MySQL, lists nothing at or behind the fork point, nor for an empty local position', () => {
    expect(errantBeyond(mysql(`${A}:1-100`), mysql(`${A}:1-100`), C)).toEqual([]);
    expect(errantBeyond(mysql(`${A}:1-90`), mysql(`${A}:1-100,${B}:1-7`), C)).toEqual([]);
    expect(errantBeyond(mysql(''), mysql(`${A}:1-100`), C)).toEqual([]);
  });

  it('on MySQL, finds a transaction the fork point lacks in the middle, which a last-GTID view would miss', () => {
    expect(errantBeyond(mysql(`${A}:1-100`), mysql(`${A}:1-49:51-100`), C)).toEqual([`${A}:50`]);
  });

  it('on MySQL, writes errant tagged transactions with their tag, and several intervals in one string', () => {
    const local = mysql(`${A}:1-100:110-112:ops:1-3`);
    expect(errantBeyond(local, mysql(`${A}:1-95`), C)).toEqual([`${A}:96-100:110-112`, `${A}:ops:1-3`]);
  });

  it('an except source of the wrong kind for the flavour is a TypeError', () => {
    expect(() => errantBeyond(mariadb('0-1-105'), mariadb('0-1-100'), C)).toThrow(TypeError);
    expect(() => errantBeyond(mysql(`${A}:1-5`), mysql(''), 2)).toThrow(TypeError);
  });

  it('positions of different flavours are a TypeError', () => {
    expect(() => errantBeyond(mariadb('0-1-105'), mysql(`${A}:1-5`))).toThrow(TypeError);
  });
});

describe('furthestOf (what a MariaDB server holds: its binlog and slave positions)', () => {
  it('takes, per domain, the GTID with the higher sequence number', () => {
    expect(formatGtid(furthestOf(parseGtid('0-1-100,1-3-5'), parseGtid('0-2-120,1-3-4')))).toBe('0-2-120,1-3-5');
  });

  it('keeps a domain only one of them has', () => {
    expect(formatGtid(furthestOf(parseGtid('0-1-100'), parseGtid('2-2-7')))).toBe('0-1-100,2-2-7');
    expect(formatGtid(furthestOf(parseGtid(''), parseGtid('0-2-7')))).toBe('0-2-7');
  });

  it('a primary with log_slave_updates: the binary log has everything, the slave position less', () => {
    expect(formatGtid(furthestOf(parseGtid('0-2-460'), parseGtid('0-1-300')))).toBe('0-2-460');
  });

  it('an old primary whose crash recovery truncated its binlog holds only what is left', () => {
    expect(formatGtid(furthestOf(parseGtid('0-2-459'), parseGtid('0-1-300')))).toBe('0-2-459');
  });
});
