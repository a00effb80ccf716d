import { describe, expect, it } from 'vitest';
import { OCF, RECOVERY, ocfName } from '../../../shared/ocf/exit-codes.ts';

const SPEC: [string, number][] = [
  ['SUCCESS', 0],
  ['ERR_GENERIC', 1],
  ['ERR_ARGS', 2],
  ['ERR_UNIMPLEMENTED', 3],
  ['ERR_PERM', 4],
  ['ERR_INSTALLED', 5],
  ['ERR_CONFIGURED', 6],
  ['NOT_RUNNING', 7],
  ['RUNNING_PROMOTED', 8],
  ['FAILED_PROMOTED', 9],
  ['DEGRADED', 190],
  ['DEGRADED_PROMOTED', 191],
];

describe('OCF 1.1 exit codes', () => {
  it.each(SPEC)('OCF_%s is %i', (name, code) => {
    expect(OCF[name as keyof typeof OCF]).toBe(code);
  });

  it('defines exactly the twelve OCF 1.1 codes', () => {
    expect(Object.entries(OCF)).toEqual(SPEC);
  });

  it.each(SPEC)('ocfName names %s for its code %i', (name, code) => {
    expect(ocfName(code)).toBe(name);
  });

  it('ocfName says UNKNOWN_<code> for a code OCF does not define', () => {
    expect(ocfName(42)).toBe('UNKNOWN_42');
  });
});

describe('recovery class per code', () => {
  it('has an entry for every code', () => {
    expect(
      Object.keys(RECOVERY)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(SPEC.map(([, code]) => code));
  });

  it('only ERR_CONFIGURED (6) is fatal', () => {
    expect(
      Object.entries(RECOVERY)
        .filter(([, r]) => r === 'fatal')
        .map(([code]) => code),
    ).toEqual(['6']);
  });
});
