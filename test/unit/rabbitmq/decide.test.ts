import { describe, expect, it } from 'vitest';
import {
  assessCluster,
  decideStart,
  erlangNodes,
  holdBootingStart,
  nodeOfErlang,
  parseClusterStatus,
  type StartView,
} from '../../../shared/rabbitmq/decide.ts';

const ALL = ['n1', 'n2', 'n3'];

function view(o: Partial<StartView> = {}): StartView {
  return {
    self: 'n1',
    members: ALL,
    online: ALL,
    quorate: true,
    running: [],
    runningClusterMembers: undefined,
    data: undefined,
    formedBy: undefined,
    ...o,
  };
}

const data = (runningAtShutdown: string[], clusterMembers = ALL) => ({ runningAtShutdown, clusterMembers });

describe('decideStart: who may start, and how', () => {
  it('waits without quorum, whatever else it sees', () => {
    expect(decideStart(view({ quorate: false, running: ['n2'] }))).toMatchObject({
      kind: 'wait',
      reason: 'no quorum in this partition',
      poll: false,
    });
  });

  it('waits, polling, while the node list is unknown: deciding alone would form a second, one-node cluster', () => {
    const unknown = { members: ['n2'], membersUnknown: 'crm_node --list failed: timed out' };
    expect(decideStart(view({ self: 'n2', ...unknown }))).toEqual({
      kind: 'wait',
      reason: "the cluster's node list is unknown (crm_node --list failed: timed out)",
      poll: true,
    });
    // Even with a peer serving and its own data: whom to join, and whether it was forgotten, need the list.
    expect(decideStart(view({ self: 'n2', ...unknown, running: ['n1'], data: data(['n2'], ['n2']) })).kind).toBe('wait');
  });

  describe('formation from empty data directories', () => {
    it('the first member in the configured order that Pacemaker sees forms the cluster', () => {
      expect(decideStart(view()).kind).toBe('form');
      expect(decideStart(view({ self: 'n2', online: ['n2', 'n3'] })).kind).toBe('form');
    });

    it('every other member waits for it to form the cluster, then joins it', () => {
      expect(decideStart(view({ self: 'n2' }))).toMatchObject({
        kind: 'wait',
        reason: 'new cluster: waiting for n1 to form it',
        poll: true,
      });
      expect(decideStart(view({ self: 'n2', running: ['n1'] }))).toMatchObject({ kind: 'join', peer: 'n1' });
    });

    it('before the cluster is recorded as formed, a newcomer joins only the founder, never another newcomer', () => {
      const standalone = data(['n3'], ['n3']);
      expect(decideStart(view({ self: 'n3', running: ['n2'], data: standalone }))).toMatchObject({ kind: 'wait', poll: true });
      expect(decideStart(view({ self: 'n3', running: ['n1', 'n2'], data: standalone }))).toMatchObject({ kind: 'join', peer: 'n1' });
    });

    it('the founder restarting before anyone joined boots its own data', () => {
      expect(decideStart(view({ formedBy: 'n1', data: data(['n1'], ['n1']) })).kind).toBe('boot-first');
    });

    it('a new node never forms a second cluster once the clone formed one: it waits for a member to run', () => {
      expect(decideStart(view({ self: 'n2', formedBy: 'n1' }))).toMatchObject({
        kind: 'wait',
        reason: expect.stringMatching(/waiting for the cluster/),
      });
    });
  });

  describe('a cluster runs', () => {
    it('a member with its data rejoins: booting is enough, nothing is reset', () => {
      const v = decideStart(view({ running: ['n2', 'n3'], runningClusterMembers: ALL, data: data(ALL) }));
      expect(v).toMatchObject({ kind: 'rejoin', reason: 'rejoins the cluster running on n2, n3 with its data' });
    });

    it('rejoins too when the running cluster could not be asked (RabbitMQ itself refuses a wrong join)', () => {
      expect(decideStart(view({ running: ['n2'], data: data(ALL) })).kind).toBe('rejoin');
    });

    it('a member the cluster forgot has its data set aside and joins anew', () => {
      const v = decideStart(view({ running: ['n2', 'n3'], runningClusterMembers: ['n2', 'n3'], data: data(ALL) }));
      expect(v).toMatchObject({ kind: 'reset-and-join', peer: 'n2' });
    });

    it('data from another cluster is never discarded by a join: it waits for an operator', () => {
      const v = decideStart(view({ running: ['n2'], runningClusterMembers: ['n2', 'n3'], data: data(['n1', 'n4'], ['n1', 'n4']) }));
      expect(v).toMatchObject({ kind: 'wait', reason: expect.stringMatching(/join by hand/) });
    });

    it('a node that was never clustered joins (join_cluster resets it)', () => {
      expect(decideStart(view({ running: ['n2'], runningClusterMembers: ['n2', 'n3'], data: data(['n1'], ['n1']) })).kind).toBe('join');
    });
  });

  describe('no member runs, this node has data (a whole-cluster stop or outage)', () => {
    it('the node that stopped last (RabbitMQ recorded no peer running) boots first', () => {
      expect(decideStart(view({ data: data(['n1']), online: ['n1'] }))).toMatchObject({ kind: 'boot-first' });
    });

    it('a node that stopped while peers ran waits for them while they are off', () => {
      const v = decideStart(view({ data: data(['n1', 'n3']), online: ['n1', 'n2'] }));
      expect(v).toMatchObject({
        kind: 'wait',
        reason: 'waiting for n3 to boot: it ran after this node stopped, so it may hold newer metadata',
      });
    });

    it('and boots with them once they are online: RabbitMQ waits for them as they boot', () => {
      expect(decideStart(view({ data: data(['n1', 'n3']), online: ALL }))).toMatchObject({ kind: 'boot-with', peers: ['n3'] });
    });

    it('after a power loss every node needs all the others: two of three wait for the third', () => {
      expect(decideStart(view({ data: data(ALL), online: ['n1', 'n2'] }))).toMatchObject({
        kind: 'wait',
        reason: expect.stringMatching(/waiting for n3 to boot/),
      });
      expect(decideStart(view({ data: data(ALL), online: ALL }))).toMatchObject({ kind: 'boot-with', peers: ['n2', 'n3'] });
    });

    it('a node with no data waits for the members with data rather than forming anew', () => {
      expect(decideStart(view({ self: 'n3', formedBy: 'n1' })).kind).toBe('wait');
    });
  });
});

describe('holdBootingStart: whether a booting start keeps the transition waiting', () => {
  it('holds while every other member has an Erlang VM up: the boot can finish without Pacemaker', () => {
    expect(holdBootingStart('n1', ['n1', 'n2', 'n3'], ['n2', 'n3'])).toBe(true);
  });

  it('leaves once a member has no VM, even when the peer it boots with has one: that peer may wait for the missing member', () => {
    expect(holdBootingStart('n3', ['n1', 'n2', 'n3'], ['n2'])).toBe(false);
    expect(holdBootingStart('n1', ['n1', 'n2', 'n3'], [])).toBe(false);
  });
});

describe('assessCluster: what a serving node reports about its cluster', () => {
  const healthy = { members: ALL, running: ALL, partitions: [], alarms: [], maintenance: [] };

  it('all members running, no alarm: healthy', () => {
    expect(assessCluster('n1', healthy, undefined)).toEqual({ kind: 'healthy', note: 'all 3 members running' });
  });

  it('a member missing from a majority: degraded with its name', () => {
    expect(assessCluster('n1', { ...healthy, running: ['n1', 'n2'] }, undefined)).toEqual({
      kind: 'degraded',
      reason: 'running without n3',
    });
  });

  it('a minority with no partition (its peers down or still booting) is degraded, never success: a restart would not bring a majority back', () => {
    expect(assessCluster('n1', { ...healthy, running: ['n1'] }, undefined)).toEqual({
      kind: 'degraded',
      reason: 'in a minority: 1 of 3 members running (n1): quorum queues wait for a majority',
    });
  });

  it('a minority that also sees a partition is a failure', () => {
    expect(assessCluster('n1', { ...healthy, running: ['n1'], partitions: ['n2'] }, undefined).kind).toBe('failed');
  });

  it('a partition is a failure', () => {
    expect(assessCluster('n1', { ...healthy, partitions: ['n3'] }, undefined)).toEqual({ kind: 'failed', reason: 'partitioned from n3' });
  });

  it('a member left in maintenance mode (drained, its clients moved away) is degraded, with its name', () => {
    expect(assessCluster('n1', { ...healthy, maintenance: ['n2'] }, undefined)).toEqual({
      kind: 'degraded',
      reason: 'in maintenance mode (drained): n2',
    });
  });

  it('alarms and quorum-critical queues are degraded, with the reason', () => {
    const v = assessCluster('n1', { ...healthy, alarms: ['rabbit@n1 memory'] }, 'quorum-critical: q1');
    expect(v).toEqual({ kind: 'degraded', reason: 'alarms: rabbit@n1 memory; quorum-critical: q1' });
  });
});

describe("RabbitMQ's records", () => {
  it('reads Erlang node names from term files', () => {
    expect(erlangNodes("{['rabbit@n1','rabbit@n2'],['rabbit@n1']}.\n")).toEqual(['rabbit@n1', 'rabbit@n2']);
    expect(erlangNodes('[].')).toEqual([]);
  });

  it('maps an Erlang node back to its Pacemaker node through cluster_host_map', () => {
    expect(nodeOfErlang('rabbit@ctl1-mgmt', new Map([['ctl1', 'ctl1-mgmt']]))).toBe('ctl1');
    expect(nodeOfErlang('rabbit@n2', new Map())).toBe('n2');
  });

  it('parses cluster_status JSON: members, running nodes, partitions, alarms, nodes in maintenance mode', () => {
    const s = parseClusterStatus(
      JSON.stringify({
        disk_nodes: ['rabbit@n1', 'rabbit@n2', 'rabbit@n3'],
        ram_nodes: [],
        running_nodes: ['rabbit@n1', 'rabbit@n2'],
        partitions: { 'rabbit@n1': ['rabbit@n3'], 'rabbit@n2': [] },
        alarms: [{ node: 'rabbit@n2', type: 'free_disk_space' }],
        // As RabbitMQ 3.10 writes it, terminal colour codes included.
        maintenance_status: {
          'rabbit@n1': '\u001b[35mmarked for maintenance\u001b[0m',
          'rabbit@n2': '\u001b[32mnot under maintenance\u001b[0m',
          'rabbit@n3': 'not under maintenance',
        },
      }),
    );
    expect(s).toEqual({
      members: ['rabbit@n1', 'rabbit@n2', 'rabbit@n3'],
      running: ['rabbit@n1', 'rabbit@n2'],
      partitions: ['rabbit@n1'],
      alarms: ['rabbit@n2 free_disk_space'],
      maintenance: ['rabbit@n1'],
    });
  });
});
