import { describe, expect, it } from 'vitest';
import {
  assess,
  catchUpPlan,
  mayFollow,
  mayPromote,
  ownTransactionsToFetch,
  roleVerdict,
  SCORE,
  type Candidate,
  type InstanceState,
  type ReplicaStatus,
} from '../../../shared/replication/decide.ts';
import { parsePosition, type Position } from '../../../shared/replication/position.ts';

const parseGtid = (text: string) => parsePosition(text, 'mariadb');

/** A healthy, current replica: both threads running, no error, 0 s behind. */
const HEALTHY: ReplicaStatus = {
  configured: true,
  io: 'Yes',
  sqlRunning: true,
  lastIoErrno: 0,
  lastIoError: '',
  lastSqlErrno: 0,
  lastSqlError: '',
  secondsBehind: 0,
  masterHost: 'n1',
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
    expect(assess(replica({ configured: false, io: 'No', sqlRunning: false, secondsBehind: null }), MAX_LAG)).toEqual({
      kind: 'replica',
      score: SCORE.IDLE,
      lagging: true,
    });
  });

  it('a replica with an SQL error is broken, and the reason carries the error', () => {
    const health = assess(
      replica({ lastSqlErrno: 1062, lastSqlError: "Duplicate entry '1' for key 'PRIMARY'", sqlRunning: false }),
      MAX_LAG,
    );
    expect(health.kind).toBe('broken');
    expect(health).toHaveProperty('reason', expect.stringContaining('1062'));
    expect(health).toHaveProperty('reason', expect.stringContaining("Duplicate entry '1' for key 'PRIMARY'"));
  });

  it('a replica with an SQL error is broken even if its SQL thread still runs', () => {
    expect(assess(replica({ lastSqlErrno: 1146, lastSqlError: "Table 'db.t' doesn't exist" }), MAX_LAG).kind).toBe('broken');
  });

  it('a replica with an IO error other than a connect error is broken, and the reason carries the error', () => {
    const health = assess(
      replica({
        io: 'No',
        lastIoErrno: 1236,
        lastIoError: 'Got fatal error 1236 from master when reading data from binary log',
      }),
      MAX_LAG,
    );
    expect(health.kind).toBe('broken');
    expect(health).toHaveProperty('reason', expect.stringContaining('1236'));
    expect(health).toHaveProperty('reason', expect.stringContaining('Got fatal error 1236'));
  });

  it.each([[2003], [2005], [2013]])('a replica that cannot reach its primary (IO error %i) is uncertain, not broken', (errno) => {
    expect(assess(replica({ io: 'Connecting', lastIoErrno: errno, lastIoError: 'cannot connect', secondsBehind: null }), MAX_LAG)).toEqual({
      kind: 'replica',
      score: SCORE.UNCERTAIN,
      lagging: true,
    });
  });

  it('a connect error with the IO thread stopped is still uncertain while the SQL thread runs', () => {
    expect(assess(replica({ io: 'No', lastIoErrno: 2003, secondsBehind: null }), MAX_LAG)).toEqual({
      kind: 'replica',
      score: SCORE.UNCERTAIN,
      lagging: true,
    });
  });

  it('a connect error does not hide a stopped SQL thread', () => {
    expect(assess(replica({ io: 'Connecting', lastIoErrno: 2013, sqlRunning: false, secondsBehind: null }), MAX_LAG).kind).toBe('broken');
  });

  it('a replica whose SQL thread is stopped is broken', () => {
    const health = assess(replica({ sqlRunning: false, secondsBehind: null }), MAX_LAG);
    expect(health).toEqual({ kind: 'broken', reason: expect.stringContaining('SQL thread') });
  });

  it('a replica whose IO thread is connecting is uncertain', () => {
    expect(assess(replica({ io: 'Connecting', secondsBehind: null }), MAX_LAG)).toEqual({
      kind: 'replica',
      score: SCORE.UNCERTAIN,
      lagging: true,
    });
  });

  it('a replica whose IO thread is connecting is uncertain even if a lag figure is left over', () => {
    expect(assess(replica({ io: 'Connecting', secondsBehind: 0 }), MAX_LAG)).toEqual({
      kind: 'replica',
      score: SCORE.UNCERTAIN,
      lagging: true,
    });
  });

  it('a replica whose lag reads NULL is uncertain, never current', () => {
    expect(assess(replica({ secondsBehind: null }), MAX_LAG)).toEqual({ kind: 'replica', score: SCORE.UNCERTAIN, lagging: true });
    // Not even with the loosest lag limit: NULL lag is unknown, never zero.
    expect(assess(replica({ secondsBehind: null }), Number.MAX_SAFE_INTEGER)).toEqual({
      kind: 'replica',
      score: SCORE.UNCERTAIN,
      lagging: true,
    });
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

  it("every score is an integer far below Pacemaker's INFINITY (1,000,000)", () => {
    for (const score of Object.values(SCORE)) {
      expect(Number.isInteger(score)).toBe(true);
      expect(score).toBeLessThanOrEqual(1_000_000 / 100);
    }
  });
});

function at(node: string, gtid: string): Candidate {
  return { node, position: parseGtid(gtid) };
}

/** mayPromote with every other candidate in the partition (the usual case), or an explicit partition. */
function promote(self: Candidate, others: readonly Candidate[], partition?: readonly string[]) {
  const published = new Map<string, Position>(others.map((c) => [c.node, c.position]));
  return mayPromote(self, partition ?? [self.node, ...others.map((c) => c.node)], published);
}

describe('mayPromote', () => {
  it('a lone replica may be promoted', () => {
    expect(promote(at('n1', '0-1-100'), [])).toEqual({ promote: true });
  });

  it('a replica may be promoted when the others are behind', () => {
    expect(promote(at('n1', '0-1-100'), [at('n2', '0-1-99'), at('n3', '')])).toEqual({ promote: true });
  });

  it('a replica may be promoted when the others are equal: any of them will do', () => {
    expect(promote(at('n1', '0-1-100,1-2-7'), [at('n2', '0-1-100,1-2-7'), at('n3', '0-1-100,1-2-7')])).toEqual({ promote: true });
  });

  it('the most advanced replica wins: promotion is refused when another replica is ahead', () => {
    const verdict = promote(at('n1', '0-1-100'), [at('n2', '0-1-105')]);
    expect(verdict.promote).toBe(false);
    expect(verdict).toHaveProperty('reason', expect.stringContaining('n2'));
    expect(verdict).toHaveProperty('reason', expect.stringContaining('0-1-105'));
    expect(verdict).toHaveProperty('reason', expect.stringContaining('0-1-100'));
  });

  it('promotion is refused when another replica is ahead in a domain this one lacks', () => {
    const verdict = promote(at('n1', '0-1-100'), [at('n2', '0-1-100,1-2-1')]);
    expect(verdict).toMatchObject({ promote: false, reason: expect.stringContaining('n2'), ahead: { node: 'n2' } });
  });

  it('promotion is refused when another replica has diverged: each has transactions the other lacks', () => {
    const verdict = promote(at('n1', '0-1-101,1-2-5'), [at('n2', '0-1-100,1-2-6')]);
    expect(verdict.promote).toBe(false);
    expect(verdict).toHaveProperty('reason', expect.stringContaining('n2'));
    expect(verdict).toHaveProperty('reason', expect.stringContaining('n1'));
  });

  it('one replica ahead among several behind is enough to refuse, and it is the one named', () => {
    const verdict = promote(at('n1', '0-1-100'), [at('n2', '0-1-90'), at('n3', '0-1-101'), at('n4', '0-1-50')]);
    expect(verdict.promote).toBe(false);
    expect(verdict).toHaveProperty('reason', expect.stringContaining('n3'));
    expect(verdict).toHaveProperty('reason', expect.not.stringContaining('n2'));
    expect(verdict).toHaveProperty('reason', expect.not.stringContaining('n4'));
  });

  it('compares 64-bit sequences exactly', () => {
    expect(promote(at('n1', '0-1-9007199254740992'), [at('n2', '0-1-9007199254740993')]).promote).toBe(false);
    expect(promote(at('n1', '0-1-9007199254740993'), [at('n2', '0-1-9007199254740992')]).promote).toBe(true);
  });

  it('a stale position of an instance outside the partition (crashed, fenced since it published) is not counted', () => {
    // n3 published 0-1-500 at an earlier promotion, then crashed and lost its tail: it is not in this partition.
    expect(promote(at('n1', '0-1-100'), [at('n2', '0-1-90'), at('n3', '0-1-500')], ['n1', 'n2'])).toEqual({ promote: true });
  });

  it('a member of the partition without a position is unknown, never behind: promotion is refused naming it', () => {
    const verdict = promote(at('n1', '0-1-100'), [at('n2', '0-1-90')], ['n1', 'n2', 'n3']);
    expect(verdict).toEqual({ promote: false, reason: expect.stringContaining('n3 published no position') });
  });

  it("the promoting instance's own published position is not compared with itself", () => {
    expect(promote(at('n1', '0-1-100'), [at('n1', '0-1-90')], ['n1'])).toEqual({ promote: true });
  });
});

describe('catchUpPlan (a refused promotion gets what the member ahead has, then is decided again)', () => {
  it('names the member that is ahead', () => {
    const verdict = promote(at('n1', '0-1-100'), [at('n2', '0-1-105')]);
    expect(verdict).toMatchObject({ promote: false, ahead: { node: 'n2' } });
  });

  it('a switchover: this replica still receives from its source (the demoted primary), so it waits', () => {
    expect(catchUpPlan(promote(at('n1', '0-1-100'), [at('n2', '0-1-105')]), HEALTHY)).toMatchObject({
      from: 'source',
      target: { node: 'n2' },
    });
  });

  it('a failover: its source is gone, so it replicates what it lacks from the member ahead', () => {
    expect(
      catchUpPlan(promote(at('n1', '0-1-100'), [at('n2', '0-1-105')]), { ...HEALTHY, io: 'Connecting', lastIoErrno: 2003 }),
    ).toMatchObject({ from: 'peer', target: { node: 'n2' } });
    expect(catchUpPlan(promote(at('n1', '0-1-100'), [at('n2', '0-1-105')]), { ...HEALTHY, configured: false })).toMatchObject({
      from: 'peer',
    });
  });

  it('never from a diverged member, nor from one whose position is unknown', () => {
    expect(catchUpPlan(promote(at('n1', '0-1-101,1-2-5'), [at('n2', '0-1-100,1-2-6')]), HEALTHY)).toBeUndefined();
    expect(catchUpPlan(promote(at('n1', '0-1-100'), [], ['n1', 'n2']), HEALTHY)).toBeUndefined();
  });

  it('nothing to catch up when promotion may go ahead', () => {
    expect(catchUpPlan(promote(at('n1', '0-1-100'), [at('n2', '0-1-90')]), HEALTHY)).toBeUndefined();
  });
});

describe('roleVerdict', () => {
  const o = { evictOutdated: false, replicating: true, lag: 0, maxLag: 30 };

  it('a primary scores PRIMARY and serves reads', () => {
    expect(roleVerdict({ kind: 'primary' }, o)).toEqual({ kind: 'primary', score: SCORE.PRIMARY, readable: true });
  });

  it('a broken replica is a failure with its reason', () => {
    expect(roleVerdict({ kind: 'broken', reason: 'replication SQL error 1062' }, o)).toEqual({
      kind: 'failed',
      reason: 'replication SQL error 1062',
    });
  });

  it('a current replica keeps its score and serves reads', () => {
    expect(roleVerdict({ kind: 'replica', score: SCORE.CURRENT, lagging: false }, o)).toEqual({
      kind: 'replica',
      score: SCORE.CURRENT,
      readable: true,
    });
  });

  it('a lagging replica stays promotable as a last resort but serves no reads', () => {
    expect(roleVerdict({ kind: 'replica', score: SCORE.UNCERTAIN, lagging: true }, { ...o, lag: 90 })).toEqual({
      kind: 'replica',
      score: SCORE.UNCERTAIN,
      readable: false,
    });
  });

  it('with evict_outdated_slaves a lagging replica is failed, naming its lag and the limit', () => {
    expect(roleVerdict({ kind: 'replica', score: SCORE.UNCERTAIN, lagging: true }, { ...o, evictOutdated: true, lag: 90 })).toEqual({
      kind: 'failed',
      reason: 'replica lag 90 exceeds max_slave_lag 30 s (evict_outdated_slaves)',
    });
  });

  it('with evict_outdated_slaves an instance not replicating yet is waiting, not outdated', () => {
    expect(
      roleVerdict({ kind: 'replica', score: SCORE.IDLE, lagging: true }, { ...o, evictOutdated: true, replicating: false, lag: null }).kind,
    ).toBe('replica');
  });
});

describe('ownTransactionsToFetch (a returning primary whose crash recovery truncated what a replica had)', () => {
  it('names its own transactions beyond its position that the new primary took over with', () => {
    // n2 (server 2) wrote 0-2-460, crashed before its engine committed it; n1 had received it and was promoted at 0-2-460.
    expect(ownTransactionsToFetch(parseGtid('0-2-459'), { position: parseGtid('0-2-460'), source: 1 }, 2)).toEqual(['0-2-460..460']);
  });

  it('names a longer truncated tail as one range', () => {
    expect(ownTransactionsToFetch(parseGtid('0-2-455'), { position: parseGtid('0-2-460'), source: 1 }, 2)).toEqual(['0-2-456..460']);
  });

  it('nothing when the instance has everything up to the fork point', () => {
    expect(ownTransactionsToFetch(parseGtid('0-2-460'), { position: parseGtid('0-2-460'), source: 1 }, 2)).toEqual([]);
  });

  it('nothing when what it lacks was written by another server: plain replication brings it', () => {
    expect(ownTransactionsToFetch(parseGtid('0-3-400'), { position: parseGtid('0-3-460'), source: 1 }, 2)).toEqual([]);
  });

  it('nothing without a fork point', () => {
    expect(ownTransactionsToFetch(parseGtid('0-2-1'), undefined, 2)).toEqual([]);
  });

  it('such an instance may follow: lacking transactions is not holding errant ones', () => {
    expect(mayFollow(parseGtid('0-2-459'), { position: parseGtid('0-2-460'), source: 1 })).toEqual({ follow: true });
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

  it("a replica that already replicated the new primary's writes and restarted follows", () => {
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
    expect(mayFollow(parseGtid('0-1-101,1-1-45,5-1-3'), multi)).toEqual({
      follow: false,
      errant: ['0-1-101..101', '1-1-41..45', '5-1-1..3'],
    });
  });
});

describe('a replica whose receiving was stopped on purpose', () => {
  it('scores as a last resort (IDLE), below one whose primary just became unreachable', () => {
    const base = {
      readOnly: true,
      position: parseGtid(''),
      replica: {
        configured: true,
        io: 'No' as const,
        sqlRunning: true,
        lastIoErrno: 0,
        lastIoError: '',
        lastSqlErrno: 0,
        lastSqlError: '',
        secondsBehind: null,
        masterHost: 'n1',
      },
    };
    expect(assess(base, 3600)).toEqual({ kind: 'replica', score: SCORE.IDLE, lagging: true });
    expect(assess({ ...base, replica: { ...base.replica, io: 'Connecting' as const } }, 3600).kind).toBe('replica');
    expect(SCORE.IDLE).toBeLessThan(SCORE.UNCERTAIN);
  });
});
