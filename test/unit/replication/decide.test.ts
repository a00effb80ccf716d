import { describe, expect, it } from 'vitest';
import {
  assess, mayFollow, mayPromote, SCORE, type Candidate, type InstanceState, type ReplicaStatus,
} from '../../../shared/replication/decide.ts';
import { parsePosition } from '../../../shared/replication/gtid.ts';

const parseGtid = (text: string) => parsePosition(text, 'mariadb');

/** A healthy, current replica: both threads running, no error, 0 s behind. */
const HEALTHY: ReplicaStatus = {
  configured: true, io: 'Yes', sqlRunning: true, lastIoErrno: 0, lastIoError: '', lastSqlErrno: 0, lastSqlError: '',
  secondsBehind: 0, masterHost: 'n1',
};

function replica(changes: Partial<ReplicaStatus> = {}, readOnly = true): InstanceState {
  return { readOnly, replica: { ...HEALTHY, ...changes }, position: parseGtid('0-1-100') };
}

const MAX_LAG = 30;

describe('assess', () => {
  it('a writable instance is the primary', () => {
    expect(assess(replica({}, false), MAX_LAG)).toEqual({ kind: 'primary' });
  });

  it('a writable instance is the primary whatever its replication status says', () => {
    expect(assess(replica({ lastSqlErrno: 1062, sqlRunning: false }, false), MAX_LAG)).toEqual({ kind: 'primary' });
    expect(assess(replica({ configured: false }, false), MAX_LAG)).toEqual({ kind: 'primary' });
  });

  it('a read-only instance without replication is idle: a last resort', () => {
    expect(assess(replica({ configured: false, io: 'No', sqlRunning: false, secondsBehind: null }), MAX_LAG))
      .toEqual({ kind: 'replica', score: SCORE.IDLE, lagging: true });
  });

  it('a replica with an SQL error is broken, and the reason carries the error', () => {
    const health = assess(replica({ lastSqlErrno: 1062, lastSqlError: "Duplicate entry '1' for key 'PRIMARY'", sqlRunning: false }), MAX_LAG);
    expect(health.kind).toBe('broken');
    expect(health).toHaveProperty('reason', expect.stringContaining('1062'));
    expect(health).toHaveProperty('reason', expect.stringContaining("Duplicate entry '1' for key 'PRIMARY'"));
  });

  it('a replica with an SQL error is broken even if its SQL thread still runs', () => {
    expect(assess(replica({ lastSqlErrno: 1146, lastSqlError: "Table 'db.t' doesn't exist" }), MAX_LAG).kind).toBe('broken');
  });

  it('a replica with an IO error other than a connect error is broken, and the reason carries the error', () => {
    const health = assess(replica({
      io: 'No', lastIoErrno: 1236, lastIoError: 'Got fatal error 1236 from master when reading data from binary log',
    }), MAX_LAG);
    expect(health.kind).toBe('broken');
    expect(health).toHaveProperty('reason', expect.stringContaining('1236'));
    expect(health).toHaveProperty('reason', expect.stringContaining('Got fatal error 1236'));
  });

  it.each([[2003], [2005], [2013]])('a replica that cannot reach its primary (IO error %i) is uncertain, not broken', (errno) => {
    expect(assess(replica({ io: 'Connecting', lastIoErrno: errno, lastIoError: 'cannot connect', secondsBehind: null }), MAX_LAG))
      .toEqual({ kind: 'replica', score: SCORE.UNCERTAIN, lagging: true });
  });

  it('a connect error with the IO thread stopped is still uncertain while the SQL thread runs', () => {
    expect(assess(replica({ io: 'No', lastIoErrno: 2003, secondsBehind: null }), MAX_LAG))
      .toEqual({ kind: 'replica', score: SCORE.UNCERTAIN, lagging: true });
  });

  it('a connect error does not hide a stopped SQL thread', () => {
    expect(assess(replica({ io: 'Connecting', lastIoErrno: 2013, sqlRunning: false, secondsBehind: null }), MAX_LAG).kind).toBe('broken');
  });

  it('a replica whose SQL thread is stopped is broken', () => {
    const health = assess(replica({ sqlRunning: false, secondsBehind: null }), MAX_LAG);
    expect(health).toEqual({ kind: 'broken', reason: expect.stringContaining('SQL thread') });
  });

  it('a replica whose IO thread is connecting is uncertain', () => {
    expect(assess(replica({ io: 'Connecting', secondsBehind: null }), MAX_LAG))
      .toEqual({ kind: 'replica', score: SCORE.UNCERTAIN, lagging: true });
  });

  it('a replica whose IO thread is connecting is uncertain even if a lag figure is left over', () => {
    expect(assess(replica({ io: 'Connecting', secondsBehind: 0 }), MAX_LAG))
      .toEqual({ kind: 'replica', score: SCORE.UNCERTAIN, lagging: true });
  });

  it('a replica whose lag reads NULL is uncertain, never current', () => {
    expect(assess(replica({ secondsBehind: null }), MAX_LAG)).toEqual({ kind: 'replica', score: SCORE.UNCERTAIN, lagging: true });
    // Not even with the loosest lag limit: NULL lag is unknown, never zero.
    expect(assess(replica({ secondsBehind: null }), Number.MAX_SAFE_INTEGER))
      .toEqual({ kind: 'replica', score: SCORE.UNCERTAIN, lagging: true });
  });

  it('a replica lagging beyond max lag is uncertain and lagging', () => {
    expect(assess(replica({ secondsBehind: MAX_LAG + 1 }), MAX_LAG)).toEqual({ kind: 'replica', score: SCORE.UNCERTAIN, lagging: true });
  });

  it('a replica exactly at max lag is still current', () => {
    expect(assess(replica({ secondsBehind: MAX_LAG }), MAX_LAG)).toEqual({ kind: 'replica', score: SCORE.CURRENT, lagging: false });
  });

  it('a healthy replica is current and not lagging', () => {
    expect(assess(replica(), MAX_LAG)).toEqual({ kind: 'replica', score: SCORE.CURRENT, lagging: false });
    expect(assess(replica({ secondsBehind: 5 }), MAX_LAG)).toEqual({ kind: 'replica', score: SCORE.CURRENT, lagging: false });
  });

  it('with max lag 0 only a replica 0 s behind is current', () => {
    expect(assess(replica({ secondsBehind: 0 }), 0)).toEqual({ kind: 'replica', score: SCORE.CURRENT, lagging: false });
    expect(assess(replica({ secondsBehind: 1 }), 0)).toEqual({ kind: 'replica', score: SCORE.UNCERTAIN, lagging: true });
  });
});

describe('SCORE', () => {
  it('orders primary > current > uncertain > idle > 0', () => {
    expect(SCORE.PRIMARY).toBeGreaterThan(SCORE.CURRENT);
    expect(SCORE.CURRENT).toBeGreaterThan(SCORE.UNCERTAIN);
    expect(SCORE.UNCERTAIN).toBeGreaterThan(SCORE.IDLE);
    expect(SCORE.IDLE).toBeGreaterThan(0);
  });

  it('every score is an integer far below Pacemaker\'s INFINITY (1,000,000)', () => {
    for (const score of Object.values(SCORE)) {
      expect(Number.isInteger(score)).toBe(true);
      expect(score).toBeLessThanOrEqual(1_000_000 / 100);
    }
  });
});

function at(node: string, gtid: string): Candidate {
  return { node, position: parseGtid(gtid) };
}

describe('mayPromote', () => {
  it('a lone replica may be promoted', () => {
    expect(mayPromote(at('n1', '0-1-100'), [])).toEqual({ promote: true });
  });

  it('a replica may be promoted when the others are behind', () => {
    expect(mayPromote(at('n1', '0-1-100'), [at('n2', '0-1-99'), at('n3', '')])).toEqual({ promote: true });
  });

  it('a replica may be promoted when the others are equal: any of them will do', () => {
    expect(mayPromote(at('n1', '0-1-100,1-2-7'), [at('n2', '0-1-100,1-2-7'), at('n3', '0-1-100,1-2-7')])).toEqual({ promote: true });
  });

  it('the most advanced replica wins: promotion is refused when another replica is ahead', () => {
    const verdict = mayPromote(at('n1', '0-1-100'), [at('n2', '0-1-105')]);
    expect(verdict.promote).toBe(false);
    expect(verdict).toHaveProperty('reason', expect.stringContaining('n2'));
    expect(verdict).toHaveProperty('reason', expect.stringContaining('0-1-105'));
    expect(verdict).toHaveProperty('reason', expect.stringContaining('0-1-100'));
  });

  it('promotion is refused when another replica is ahead in a domain this one lacks', () => {
    const verdict = mayPromote(at('n1', '0-1-100'), [at('n2', '0-1-100,1-2-1')]);
    expect(verdict).toEqual({ promote: false, reason: expect.stringContaining('n2') });
  });

  it('promotion is refused when another replica has diverged: each has transactions the other lacks', () => {
    const verdict = mayPromote(at('n1', '0-1-101,1-2-5'), [at('n2', '0-1-100,1-2-6')]);
    expect(verdict.promote).toBe(false);
    expect(verdict).toHaveProperty('reason', expect.stringContaining('n2'));
    expect(verdict).toHaveProperty('reason', expect.stringContaining('n1'));
  });

  it('one replica ahead among several behind is enough to refuse, and it is the one named', () => {
    const verdict = mayPromote(at('n1', '0-1-100'), [at('n2', '0-1-90'), at('n3', '0-1-101'), at('n4', '0-1-50')]);
    expect(verdict.promote).toBe(false);
    expect(verdict).toHaveProperty('reason', expect.stringContaining('n3'));
    expect(verdict).toHaveProperty('reason', expect.not.stringContaining('n2'));
    expect(verdict).toHaveProperty('reason', expect.not.stringContaining('n4'));
  });

  it('compares 64-bit sequences exactly', () => {
    expect(mayPromote(at('n1', '0-1-9007199254740992'), [at('n2', '0-1-9007199254740993')]).promote).toBe(false);
    expect(mayPromote(at('n1', '0-1-9007199254740993'), [at('n2', '0-1-9007199254740992')]).promote).toBe(true);
  });
});

describe('mayFollow', () => {
  const fork = { position: parseGtid('0-1-100'), source: 2 };

  it('an instance follows when no fork point is known', () => {
    expect(mayFollow(parseGtid('0-1-105'), undefined)).toEqual({ follow: true });
  });

  it('an instance behind the fork point follows', () => {
    expect(mayFollow(parseGtid('0-1-90'), fork)).toEqual({ follow: true });
  });

  it('an instance at the fork point follows', () => {
    expect(mayFollow(parseGtid('0-1-100'), fork)).toEqual({ follow: true });
  });

  it('an empty instance follows', () => {
    expect(mayFollow(parseGtid(''), fork)).toEqual({ follow: true });
  });

  it('a replica that already replicated the new primary\'s writes and restarted follows', () => {
    expect(mayFollow(parseGtid('0-2-130'), fork)).toEqual({ follow: true });
  });

  it('an old primary with writes no one else has is not attached (errant transactions)', () => {
    expect(mayFollow(parseGtid('0-1-105'), fork)).toEqual({ follow: false, errant: ['0-1-101..105'] });
  });

  it('writes beyond the fork point by a third server are errant too', () => {
    expect(mayFollow(parseGtid('0-3-102'), fork)).toEqual({ follow: false, errant: ['0-3-101..102'] });
  });

  it('with several domains, only those holding errant writes are listed', () => {
    const multi = { position: parseGtid('0-1-100,1-1-40,2-3-9'), source: 2 };
    expect(mayFollow(parseGtid('0-2-120,1-1-42,2-3-9'), multi)).toEqual({ follow: false, errant: ['1-1-41..42'] });
    expect(mayFollow(parseGtid('0-2-120,1-1-40,2-3-8'), multi)).toEqual({ follow: true });
  });

  it('with several domains, errant writes in each are all listed', () => {
    const multi = { position: parseGtid('0-1-100,1-1-40'), source: 2 };
    expect(mayFollow(parseGtid('0-1-101,1-1-45,5-1-3'), multi))
      .toEqual({ follow: false, errant: ['0-1-101..101', '1-1-41..45', '5-1-1..3'] });
  });
});

describe('a replica whose receiving was stopped on purpose', () => {
  it('scores as a last resort (IDLE), below one whose primary just became unreachable', () => {
    const base = { readOnly: true, position: parseGtid(''), replica: {
      configured: true, io: 'No' as const, sqlRunning: true, lastIoErrno: 0, lastIoError: '', lastSqlErrno: 0, lastSqlError: '',
      secondsBehind: null, masterHost: 'n1' } };
    expect(assess(base, 3600)).toEqual({ kind: 'replica', score: SCORE.IDLE, lagging: true });
    expect(assess({ ...base, replica: { ...base.replica, io: 'Connecting' as const } }, 3600).kind).toBe('replica');
    expect(SCORE.IDLE).toBeLessThan(SCORE.UNCERTAIN);
  });
});
