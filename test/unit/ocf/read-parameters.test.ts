import { describe, expect, it } from 'vitest';
import { defineAgent } from '../../../shared/ocf/agent.ts';
import { ConfigurationError } from '../../../shared/ocf/errors.ts';
import { OCF } from '../../../shared/ocf/exit-codes.ts';
import { integer, string } from '../../../shared/ocf/parameters.ts';
import { assertNoProblems, readParameters } from '../../../shared/ocf/read-parameters.ts';
import { sampleAgent } from './sample-agent.ts';

const agent = sampleAgent();
const read = (reskeys: Record<string, string>) => readParameters(agent, new Map(Object.entries(reskeys)));

describe('readParameters', () => {
  it('types every value by its declaration', () => {
    const r = read({ name: 'db', count: '7', wait: '2min', verbose: 'yes', mode: 'fast', password: 'pw' });
    expect(r.values).toEqual({
      name: 'db',
      count: 7,
      wait: 120,
      verbose: true,
      mode: 'fast',
      password: 'pw',
      probe_table: 'db.t',
      probe_limit: 10,
    });
    expect(r.problems.size).toBe(0);
    expect(r.unknown).toEqual([]);
  });

  it('an absent parameter gets its default', () => {
    const r = read({ name: 'db' });
    expect(r.values).toMatchObject({ count: 3, wait: 30, verbose: false, mode: 'safe', password: '' });
  });

  it('an alias counts when the canonical name is absent', () => {
    expect(read({ name: 'db', probetable: 'x.y' }).values.probe_table).toBe('x.y');
  });

  it.each([
    ['the alias comes first', { probetable: 'alias.value', probe_table: 'canonical.value' }],
    ['the alias comes last', { probe_table: 'canonical.value', probetable: 'alias.value' }],
  ])('an alias does not count when the canonical name is given (%s)', (_, given) => {
    expect(read({ name: 'db', ...given }).values.probe_table).toBe('canonical.value');
  });

  it('lists names no parameter claims, in the order given', () => {
    const r = read({ name: 'db', crm_feature_set: '3.16.1', colour: 'blue', probetable: 'x.y' });
    expect(r.unknown).toEqual(['crm_feature_set', 'colour']);
  });

  it.each([
    ['integer', 'count', 3],
    ['seconds', 'wait', 30],
    ['boolean', 'verbose', false],
    ['select', 'mode', 'safe'],
  ] as const)('an empty %s value means the default', (_, name, value) => {
    const r = read({ name: 'db', [name]: '' });
    expect(r.values[name]).toBe(value);
    expect(r.problems.size).toBe(0);
  });

  it('an empty string value is a value, not the default', () => {
    expect(read({ name: 'db', probe_table: '' }).values.probe_table).toBe('');
  });

  it('a required parameter that is missing is a problem', () => {
    const r = read({});
    expect([...r.problems]).toEqual([['name', 'parameter name is required and was not given']]);
    expect(r.values.name).toBeUndefined();
  });

  it('a required string given empty is a problem', () => {
    expect(read({ name: '' }).problems.get('name')).toBe('parameter name is required and was given empty');
  });

  it('a required integer given empty is missing', () => {
    const strict = defineAgent({
      name: 'strict',
      version: '1',
      shortdesc: 's',
      longdesc: 'l',
      parameters: { port: integer({ shortdesc: 's', longdesc: 'l', required: true }) },
      validate: async () => undefined,
      actions: {
        start: { timeout: 1, run: async () => OCF.SUCCESS },
        stop: { timeout: 1, run: async () => OCF.SUCCESS },
        monitor: { timeout: 1, run: async () => OCF.SUCCESS },
      },
    });
    expect(readParameters(strict, new Map([['port', '']])).problems.get('port')).toBe('parameter port is required and was not given');
  });

  it('a bad value becomes a problem naming it, and the default is used', () => {
    const r = read({ name: 'db', count: 'many', wait: 'forever' });
    expect([...r.problems]).toEqual([
      ['count', 'parameter count expects an integer, got "many"'],
      ['wait', 'parameter wait expects a number of seconds (e.g. 30, 30s, 2min), got "forever"'],
    ]);
    expect(r.values.count).toBe(3);
    expect(r.values.wait).toBe(30);
  });

  it('a bad value given under an alias is a problem of the canonical parameter', () => {
    const withAlias = defineAgent({
      name: 'aliased',
      version: '1',
      shortdesc: 's',
      longdesc: 'l',
      parameters: { max_lag: integer({ shortdesc: 's', longdesc: 'l', default: 60, aliases: ['maxlag'] }) },
      validate: async () => undefined,
      actions: {
        start: { timeout: 1, run: async () => OCF.SUCCESS },
        stop: { timeout: 1, run: async () => OCF.SUCCESS },
        monitor: { timeout: 1, run: async () => OCF.SUCCESS },
      },
    });
    const r = readParameters(withAlias, new Map([['maxlag', 'lots']]));
    expect(r.problems.get('max_lag')).toBe('parameter max_lag expects an integer, got "lots"');
  });

  it('collects secret values given, to keep them out of logs', () => {
    expect(read({ name: 'db', password: 'hunter2' }).secrets).toEqual(['hunter2']);
  });

  it('an empty or absent secret is not collected', () => {
    expect(read({ name: 'db', password: '' }).secrets).toEqual([]);
    expect(read({ name: 'db' }).secrets).toEqual([]);
  });

  it('a bad secret is collected and its problem does not show it', () => {
    const secretive = defineAgent({
      name: 'secretive',
      version: '1',
      shortdesc: 's',
      longdesc: 'l',
      parameters: { pin: integer({ shortdesc: 's', longdesc: 'l', secret: true }), user: string({ shortdesc: 's', longdesc: 'l' }) },
      validate: async () => undefined,
      actions: {
        start: { timeout: 1, run: async () => OCF.SUCCESS },
        stop: { timeout: 1, run: async () => OCF.SUCCESS },
        monitor: { timeout: 1, run: async () => OCF.SUCCESS },
      },
    });
    const r = readParameters(secretive, new Map([['pin', 'x9y8z7']]));
    expect(r.secrets).toEqual(['x9y8z7']);
    expect(r.problems.get('pin')).toBe('parameter pin expects an integer, got (secret value withheld)');
  });
});

describe('assertNoProblems', () => {
  it('returns when there are none', () => {
    expect(() => assertNoProblems(new Map())).not.toThrow();
  });

  it('throws the first problem as a ConfigurationError (6)', () => {
    let error: unknown;
    try {
      assertNoProblems(
        new Map([
          ['a', 'first'],
          ['b', 'second'],
        ]),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).code).toBe(6);
    expect((error as ConfigurationError).message).toBe('first');
  });
});
