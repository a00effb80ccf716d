import { describe, expect, it } from 'vitest';
import { readNotifyEnv, runningAfterTransition } from '../../../shared/cluster/notify-env.ts';

/** Meta keys as in OCF_RESKEY_CRM_meta_<key>. */
function meta(entries: Record<string, string>): ReadonlyMap<string, string> {
  return new Map(Object.entries(entries));
}

describe('readNotifyEnv', () => {
  it('reads the type, the operation and the nodes of a pre-promote notification', () => {
    const env = readNotifyEnv(
      meta({
        notify_type: 'pre',
        notify_operation: 'promote',
        notify_promote_uname: 'n2 ',
        notify_promoted_uname: '',
        notify_unpromoted_uname: 'n1 n2 n3 ',
        notify_active_uname: 'n1 n2 n3',
        notify_start_uname: ' ',
        notify_stop_uname: '',
        notify_demote_uname: '',
      }),
    );
    expect(env).toEqual({
      type: 'pre',
      operation: 'promote',
      start: [],
      stop: [],
      promote: ['n2'],
      demote: [],
      promoted: [],
      unpromoted: ['n1', 'n2', 'n3'],
      active: ['n1', 'n2', 'n3'],
    });
  });

  it('reads a post notification', () => {
    const env = readNotifyEnv(meta({ notify_type: 'post', notify_operation: 'demote', notify_demote_uname: 'n1' }));
    expect(env.type).toBe('post');
    expect(env.operation).toBe('demote');
    expect(env.demote).toEqual(['n1']);
  });

  it('reads start and stop lists', () => {
    const env = readNotifyEnv(
      meta({ notify_type: 'pre', notify_operation: 'start', notify_start_uname: 'n3', notify_stop_uname: 'n1 n2' }),
    );
    expect(env.start).toEqual(['n3']);
    expect(env.stop).toEqual(['n1', 'n2']);
  });

  it('splits lists on any whitespace and drops the blanks around and between names', () => {
    const env = readNotifyEnv(meta({ notify_active_uname: '  n1\tn2\n n3  ', notify_promote_uname: 'n2 ' }));
    expect(env.active).toEqual(['n1', 'n2', 'n3']);
    expect(env.promote).toEqual(['n2']);
  });

  it('missing keys are empty lists, an empty operation and no type', () => {
    expect(readNotifyEnv(new Map())).toEqual({
      type: '',
      operation: '',
      start: [],
      stop: [],
      promote: [],
      demote: [],
      promoted: [],
      unpromoted: [],
      active: [],
    });
  });

  it.each([['bogus'], [''], ['PRE'], ['pre-promote']])('an unknown type (%j) reads as no type', (type) => {
    expect(readNotifyEnv(meta({ notify_type: type })).type).toBe('');
  });

  it('reads the OCF 1.1 promoted and unpromoted names', () => {
    const env = readNotifyEnv(meta({ notify_promoted_uname: 'n1', notify_unpromoted_uname: 'n2 n3' }));
    expect(env.promoted).toEqual(['n1']);
    expect(env.unpromoted).toEqual(['n2', 'n3']);
  });

  it('falls back to the legacy master and slave names when the OCF 1.1 ones are absent', () => {
    const env = readNotifyEnv(meta({ notify_master_uname: 'n1', notify_slave_uname: 'n2 n3' }));
    expect(env.promoted).toEqual(['n1']);
    expect(env.unpromoted).toEqual(['n2', 'n3']);
  });

  it('falls back to the legacy names when the OCF 1.1 ones are blank', () => {
    const env = readNotifyEnv(
      meta({
        notify_promoted_uname: ' ',
        notify_master_uname: 'n1',
        notify_unpromoted_uname: '',
        notify_slave_uname: 'n2',
      }),
    );
    expect(env.promoted).toEqual(['n1']);
    expect(env.unpromoted).toEqual(['n2']);
  });

  it('prefers the OCF 1.1 names over the legacy ones when both are set', () => {
    const env = readNotifyEnv(
      meta({
        notify_promoted_uname: 'n1',
        notify_master_uname: 'old',
        notify_unpromoted_uname: 'n2',
        notify_slave_uname: 'old',
      }),
    );
    expect(env.promoted).toEqual(['n1']);
    expect(env.unpromoted).toEqual(['n2']);
  });

  it('does not mix the legacy names into other lists', () => {
    const env = readNotifyEnv(meta({ notify_master_uname: 'n1', notify_slave_uname: 'n2' }));
    expect(env.active).toEqual([]);
    expect(env.promote).toEqual([]);
    expect(env.demote).toEqual([]);
  });
});

describe('runningAfterTransition (the partition a promotion compares)', () => {
  const base = readNotifyEnv(meta({ notify_type: 'pre', notify_operation: 'promote' }));

  it('is the active instances', () => {
    expect(runningAfterTransition({ ...base, active: ['n3', 'n1'], promote: ['n1'] })).toEqual(['n1', 'n3']);
  });

  it('includes instances started in this transition', () => {
    expect(runningAfterTransition({ ...base, active: ['n1'], start: ['n2'] })).toEqual(['n1', 'n2']);
  });

  it("leaves out instances stopped in this transition (a crashed node's implied stop after fencing)", () => {
    expect(runningAfterTransition({ ...base, active: ['n1', 'n2', 'n3'], stop: ['n2'] })).toEqual(['n1', 'n3']);
  });
});
