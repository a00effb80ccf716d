import { describe, expect, it } from 'vitest';
import {
  assessMember,
  chooseStartPosition,
  decideBootstrap,
  peerFenceVerdict,
  type ClusterView,
  type WsrepStatus,
} from '../../../shared/galera/decide.ts';
import type { Report } from '../../../shared/galera/report.ts';
import { NO_HISTORY } from '../../../shared/galera/state-files.ts';

const UUID = '4a1c2d3e-0000-1111-2222-333344445555';
const G = {
  n1: 'g1111111-0000-0000-0000-000000000001',
  n2: 'g2222222-0000-0000-0000-000000000002',
  n3: 'g3333333-0000-0000-0000-000000000003',
};
const NOW = 10_000;

function report(seqno: number, o: Partial<Report> & { view?: number; me?: keyof typeof G; members?: (keyof typeof G)[] } = {}): Report {
  const { view, me, members, ...rest } = o;
  return {
    uuid: UUID,
    seqno,
    safeToBootstrap: false,
    at: NOW - 5,
    component:
      view !== undefined && me ? { viewSeq: view, self: G[me], members: (members ?? ['n1', 'n2', 'n3']).map((m) => G[m]) } : undefined,
    ...rest,
  };
}

function view(reports: Record<string, Report>, o: Partial<ClusterView> = {}): ClusterView {
  return {
    self: 'n1',
    expected: ['n1', 'n2', 'n3'],
    members: Object.keys(reports),
    quorate: true,
    primary: [],
    reports: new Map(Object.entries(reports)),
    now: NOW,
    bootstrapWait: 30,
    twoNodeMode: false,
    cleanlyOffline: [],
    ...o,
  };
}

describe('decideBootstrap', () => {
  it('joins when a primary component runs anywhere', () => {
    expect(decideBootstrap(view({ n1: report(5) }, { primary: ['n2'] }))).toEqual({ kind: 'join', primary: ['n2'] });
  });

  it('never bootstraps in a partition without quorum', () => {
    const v = decideBootstrap(view({ n1: report(5), n2: report(4), n3: report(3) }, { quorate: false }));
    expect(v).toMatchObject({ kind: 'wait', reason: 'no quorum in this partition' });
  });

  it('with every member reported, bootstraps the most advanced', () => {
    const v = decideBootstrap(view({ n1: report(5), n2: report(9), n3: report(7) }));
    expect(v).toMatchObject({ kind: 'bootstrap', node: 'n2', rule: 'all-reported', excluded: [], seqno: 9 });
  });

  it('on equal seqnos prefers the node Galera marked safe_to_bootstrap, then the address order', () => {
    expect(decideBootstrap(view({ n1: report(5), n2: report(5), n3: report(5, { safeToBootstrap: true }) }))).toMatchObject({ node: 'n3' });
    expect(decideBootstrap(view({ n1: report(5), n2: report(5), n3: report(5) }))).toMatchObject({ node: 'n1' });
  });

  it('forms a new cluster from empty datadirs on the first member, once all are there', () => {
    const empty = { uuid: NO_HISTORY, seqno: -1 };
    expect(decideBootstrap(view({ n1: report(-1, empty), n2: report(-1, empty), n3: report(-1, empty) }))).toMatchObject({
      kind: 'bootstrap',
      node: 'n1',
    });
    expect(decideBootstrap(view({ n2: report(-1, empty), n3: report(-1, empty) }, { members: ['n2', 'n3'] }))).toMatchObject({
      kind: 'wait',
    });
  });

  it('never bootstraps a node without state while a node with state reported', () => {
    expect(decideBootstrap(view({ n1: report(-1, { uuid: NO_HISTORY }), n2: report(3), n3: report(2) }))).toMatchObject({ node: 'n2' });
  });

  it('waits when members hold different histories, naming them', () => {
    const v = decideBootstrap(view({ n1: report(5), n2: report(9, { uuid: 'ffffffff-0000-0000-0000-000000000000' }), n3: report(7) }));
    expect(v).toMatchObject({ kind: 'wait', reason: expect.stringContaining('different cluster histories') });
  });

  it('every reason to wait fits the 128 characters crm_mon shows of an exit reason', () => {
    const cases = [
      view({ n1: report(5) }, { quorate: false }),
      view({ n1: report(9), n2: report(8) }, { members: ['n1', 'n2', 'n3'] }),
      view({ n1: report(100, { view: 5, me: 'n1' }), n2: report(101, { view: 5, me: 'n2' }) }),
      view({ n1: report(100, { view: 5, me: 'n1' }) }),
      view({ n1: report(100), n2: report(99) }),
      view({ n1: report(5), n2: report(9, { uuid: 'ffffffff-0000-0000-0000-000000000000' }), n3: report(7) }),
    ];
    for (const c of cases) {
      const v = decideBootstrap(c);
      expect(v.kind).toBe('wait');
      if (v.kind === 'wait') expect(`not bootstrapping: ${v.reason}`.length).toBeLessThanOrEqual(128);
    }
  });

  it('waits for a missing member that is online: its data may be ahead', () => {
    const v = decideBootstrap(view({ n1: report(9), n2: report(8) }, { members: ['n1', 'n2', 'n3'] }));
    expect(v).toEqual({ kind: 'wait', reason: 'waiting for n3: online, position not reported yet (may be ahead)' });
  });

  it('with a member offline, bootstraps the node that left the last primary component last and cleanly', () => {
    const v = decideBootstrap(view({ n1: report(9, { safeToBootstrap: true }), n2: report(8) }));
    expect(v).toMatchObject({ kind: 'bootstrap', node: 'n1', rule: 'last-to-leave', excluded: ['n3'] });
  });

  it('with a member offline that had left before the last primary component, bootstraps at once', () => {
    // n3 crashed first; n1 and n2 went on as {n1, n2} (view 7), then both crashed.
    const v = decideBootstrap(
      view({
        n1: report(120, { view: 7, me: 'n1', members: ['n1', 'n2'] }),
        n2: report(118, { view: 7, me: 'n2', members: ['n1', 'n2'] }),
      }),
    );
    expect(v).toMatchObject({ kind: 'bootstrap', node: 'n1', rule: 'missing-left-earlier', excluded: ['n3'] });
  });

  it('with a member of the last primary component offline, a majority waits bootstrap_wait, then bootstraps', () => {
    const reports = { n1: report(100, { view: 5, me: 'n1' }), n2: report(101, { view: 5, me: 'n2' }) };
    const early = decideBootstrap(view(reports));
    expect(early).toMatchObject({ kind: 'wait', reason: 'waiting 25 s more for n3 (offline) before 2/3 bootstrap (bootstrap_wait)' });
    const late = decideBootstrap(view(reports, { now: NOW + 30 }));
    expect(late).toMatchObject({ kind: 'bootstrap', node: 'n2', rule: 'majority-of-last-component', excluded: ['n3'], seqno: 101 });
  });

  it('a minority of the last primary component never bootstraps, however long it waits', () => {
    const v = decideBootstrap(view({ n1: report(100, { view: 5, me: 'n1' }) }, { now: NOW + 3600 }));
    expect(v).toMatchObject({ kind: 'wait', reason: expect.stringContaining('no majority') });
  });

  it('the rolling loss: older nodes booted first never bootstrap without the newest, which saw them leave', () => {
    // n1 left first (view 5 of three), n2 next (view 6 = {n2, n3}), n3 last with the newest rows (view 7 = {n3}: not primary).
    const v = decideBootstrap(
      view({ n1: report(100, { view: 5, me: 'n1' }), n2: report(150, { view: 6, me: 'n2', members: ['n2', 'n3'] }) }, { now: NOW + 3600 }),
    );
    expect(v).toMatchObject({ kind: 'wait' });
  });

  it('waits, saying why, when nothing proves a bootstrap without the missing member safe', () => {
    const v = decideBootstrap(view({ n1: report(100), n2: report(99) }, { now: NOW + 3600 }));
    expect(v).toMatchObject({ kind: 'wait', reason: expect.stringContaining('nothing proves the others hold all it may hold') });
  });

  it('two_node_mode: the survivor of a two-node cluster bootstraps once its peer is fenced', () => {
    const n1 = { n1: report(7, { view: 3, me: 'n1', members: ['n1', 'n2'] }) };
    const o = { expected: ['n1', 'n2'], members: ['n1'], twoNodeMode: true, cleanlyOffline: ['n2'] };
    expect(decideBootstrap(view(n1, o))).toMatchObject({ kind: 'bootstrap', rule: 'two-node-mode', excluded: ['n2'] });
    expect(decideBootstrap(view(n1, { ...o, twoNodeMode: false }))).toMatchObject({ kind: 'wait' });
  });

  it('two_node_mode: a peer that only left the partition (unclean, maybe running) is waited for, never bootstrapped around', () => {
    const n1 = { n1: report(7, { view: 3, me: 'n1', members: ['n1', 'n2'] }) };
    const v = decideBootstrap(view(n1, { expected: ['n1', 'n2'], members: ['n1'], twoNodeMode: true, cleanlyOffline: [] }));
    expect(v).toEqual({ kind: 'wait', reason: 'two_node_mode: waiting for n2 to be fenced (out of this partition, may still run)' });
  });
});

const SYNCED: WsrepStatus = {
  clusterStatus: 'Primary',
  ready: true,
  connected: true,
  localState: 4,
  stateComment: 'Synced',
  clusterSize: 3,
};

describe('assessMember', () => {
  it('a Synced member of the primary component is healthy', () => {
    expect(assessMember(SYNCED)).toMatchObject({ kind: 'synced' });
  });
  it('a member in a non-Primary component is a failure that says it is partitioned', () => {
    expect(assessMember({ ...SYNCED, clusterStatus: 'non-Primary', clusterSize: 1 })).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('partitioned from the majority'),
    });
  });
  it('a donor is degraded, not failed', () => {
    expect(assessMember({ ...SYNCED, localState: 2, stateComment: 'Donor/Desynced' })).toMatchObject({ kind: 'degraded' });
  });
  it('a member not ready is a failure', () => {
    expect(assessMember({ ...SYNCED, ready: false })).toMatchObject({ kind: 'failed' });
  });
});

describe('peerFenceVerdict (two_node_mode survivor)', () => {
  const alone = { quorate: true, members: ['a'] };
  it('a peer fenced or cleanly offline lets the survivor re-form alone', () => {
    expect(peerFenceVerdict('a', 'b', alone, ['b'])).toBe(true);
  });
  it('a peer that left but is unclean is waited for: it may still run', () => {
    expect(peerFenceVerdict('a', 'b', alone, [])).toBeUndefined();
  });
  it('a peer still in the partition means the component broke for another reason: nothing to wait for', () => {
    expect(peerFenceVerdict('a', 'b', { quorate: true, members: ['a', 'b'] }, ['b'])).toBe(false);
  });
  it('a partition without quorum never re-forms', () => {
    expect(peerFenceVerdict('a', 'b', { quorate: false, members: ['a'] }, ['b'])).toBe(false);
  });
});

describe('chooseStartPosition (where a server starts in its history)', () => {
  const crashed = { uuid: UUID, seqno: -1 };
  // The report was taken at NOW - 5 (epoch seconds); the server last wrote its log before the crash.
  const before = (NOW - 60) * 1000;
  const after = (NOW - 5) * 1000 + 1;

  it('a clean shutdown: grastate.dat holds the seqno and the server reads it itself', () => {
    expect(chooseStartPosition({ uuid: UUID, seqno: 42 }, report(42), before)).toEqual({ kind: 'grastate' });
  });

  it('no grastate.dat, or no history (never joined, or its state moved aside for SST): no position is given', () => {
    expect(chooseStartPosition(undefined, report(42), before)).toEqual({ kind: 'grastate' });
    expect(chooseStartPosition({ uuid: NO_HISTORY, seqno: -1 }, report(42), before)).toEqual({ kind: 'grastate' });
  });

  it('after a crash, the position recovered at start is passed, so a joiner can take IST and a bootstrap keeps the history', () => {
    expect(chooseStartPosition(crashed, report(42), before)).toEqual({ kind: 'reported', position: `${UUID}:42` });
  });

  it('the server ran after the position was taken (a failed join may have replaced data): recover again', () => {
    expect(chooseStartPosition(crashed, report(42), after)).toEqual({ kind: 'recover' });
  });

  it('no report, a stateless report, or one of another history: recover again', () => {
    expect(chooseStartPosition(crashed, undefined, before)).toEqual({ kind: 'recover' });
    expect(chooseStartPosition(crashed, report(-1, { uuid: NO_HISTORY }), before)).toEqual({ kind: 'recover' });
    expect(chooseStartPosition(crashed, report(42, { uuid: G.n2 }), before)).toEqual({ kind: 'recover' });
  });
});
