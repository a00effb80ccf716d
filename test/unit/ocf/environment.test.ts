import { describe, expect, it } from 'vitest';
import { isProbe, readEnvironment, speaksOcf11 } from '../../../shared/ocf/environment.ts';

describe('readEnvironment', () => {
  it('splits OCF_RESKEY_* into parameters and CRM_meta_* into meta attributes', () => {
    const env = readEnvironment({
      OCF_RESKEY_datadir: '/srv/db',
      OCF_RESKEY_crm_feature_set: '3.16.1',
      OCF_RESKEY_CRM_meta_timeout: '20000',
      OCF_RESKEY_CRM_meta_interval: '10000',
      OCF_RESKEY_CRM_meta_notify: 'true',
      HOME: '/root',
    });
    expect([...env.reskeys]).toEqual([
      ['datadir', '/srv/db'],
      ['crm_feature_set', '3.16.1'],
    ]);
    expect([...env.meta]).toEqual([
      ['timeout', '20000'],
      ['interval', '10000'],
      ['notify', 'true'],
    ]);
  });

  it('keeps an empty parameter value', () => {
    expect(readEnvironment({ OCF_RESKEY_config: '' }).reskeys.get('config')).toBe('');
  });

  it('uses the ocf-shellfuncs defaults when nothing is set', () => {
    const vars = {};
    const env = readEnvironment(vars);
    expect(env).toMatchObject({
      root: '/usr/lib/ocf',
      instance: 'default',
      type: undefined,
      provider: undefined,
      raVersion: undefined,
      timeoutMs: undefined,
      intervalMs: 0,
      checkLevel: undefined,
      exitReasonPrefix: 'ocf-exit-reason:',
    });
    expect(env.reskeys.size).toBe(0);
    expect(env.vars).toBe(vars);
  });

  it('reads what Pacemaker sets', () => {
    const env = readEnvironment({
      OCF_ROOT: '/opt/ocf',
      OCF_RESOURCE_INSTANCE: 'db:0',
      OCF_RESOURCE_TYPE: 'mysql',
      OCF_RESOURCE_PROVIDER: 'tsha',
      OCF_RA_VERSION_MAJOR: '1',
      OCF_RA_VERSION_MINOR: '1',
      OCF_CHECK_LEVEL: '10',
      OCF_EXIT_REASON_PREFIX: 'reason>',
    });
    expect(env).toMatchObject({
      root: '/opt/ocf',
      instance: 'db:0',
      type: 'mysql',
      provider: 'tsha',
      raVersion: { major: 1, minor: 1 },
      checkLevel: 10,
      exitReasonPrefix: 'reason>',
    });
  });

  it('an empty OCF_EXIT_REASON_PREFIX is kept as empty', () => {
    expect(readEnvironment({ OCF_EXIT_REASON_PREFIX: '' }).exitReasonPrefix).toBe('');
  });

  it.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['20000', 20000],
    ['120000', 120000],
    ['abc', undefined],
  ])('OCF_RESKEY_CRM_meta_timeout %j gives timeoutMs %j', (timeout, ms) => {
    const vars = timeout === undefined ? {} : { OCF_RESKEY_CRM_meta_timeout: timeout };
    expect(readEnvironment(vars).timeoutMs).toBe(ms);
  });

  it('a major version without a minor counts as minor 0', () => {
    expect(readEnvironment({ OCF_RA_VERSION_MAJOR: '2' }).raVersion).toEqual({ major: 2, minor: 0 });
  });
});

describe('speaksOcf11', () => {
  it.each<[string, Record<string, string>, boolean]>([
    ['absent', {}, false],
    ['1.0', { OCF_RA_VERSION_MAJOR: '1', OCF_RA_VERSION_MINOR: '0' }, false],
    ['1 with no minor', { OCF_RA_VERSION_MAJOR: '1' }, false],
    ['a minor alone', { OCF_RA_VERSION_MINOR: '1' }, false],
    ['1.1', { OCF_RA_VERSION_MAJOR: '1', OCF_RA_VERSION_MINOR: '1' }, true],
    ['1.2', { OCF_RA_VERSION_MAJOR: '1', OCF_RA_VERSION_MINOR: '2' }, true],
    ['2.0', { OCF_RA_VERSION_MAJOR: '2', OCF_RA_VERSION_MINOR: '0' }, true],
  ])('a caller that says %s speaks OCF 1.1: %s', (_, vars, expected) => {
    expect(speaksOcf11(readEnvironment(vars))).toBe(expected);
  });
});

describe('isProbe', () => {
  it.each<[string, string | undefined, boolean]>([
    ['monitor', undefined, true],
    ['monitor', '0', true],
    ['monitor', '10000', false],
    ['start', undefined, false],
    ['start', '0', false],
    ['stop', undefined, false],
    ['status', undefined, false],
    ['promote', '0', false],
  ])('%s with interval %j is a probe: %s', (action, interval, expected) => {
    const vars = interval === undefined ? {} : { OCF_RESKEY_CRM_meta_interval: interval };
    expect(isProbe(readEnvironment(vars), action)).toBe(expected);
  });
});
