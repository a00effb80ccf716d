import { describe, expect, it } from 'vitest';
import {
  ArgsError,
  ConfigurationError,
  DeadlineError,
  GenericError,
  NotInstalledError,
  OcfError,
  PermissionError,
  UnimplementedError,
} from '../../../shared/ocf/errors.ts';

type ErrorClass = new (message: string, options?: { cause?: unknown }) => OcfError;

describe('OCF error classes', () => {
  it.each<[string, ErrorClass, number]>([
    ['GenericError', GenericError, 1],
    ['ArgsError', ArgsError, 2],
    ['UnimplementedError', UnimplementedError, 3],
    ['PermissionError', PermissionError, 4],
    ['NotInstalledError', NotInstalledError, 5],
    ['ConfigurationError', ConfigurationError, 6],
    ['DeadlineError', DeadlineError, 1],
  ])('%s carries exit code %i, its message, its name and its cause', (name, Class, code) => {
    const cause = new Error('underlying');
    const error = new Class('what went wrong', { cause });
    expect(error.code).toBe(code);
    expect(error.message).toBe('what went wrong');
    expect(error.name).toBe(name);
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(OcfError);
    expect(error).toBeInstanceOf(Error);
  });

  it('an error without a cause has none', () => {
    expect(new ConfigurationError('x').cause).toBeUndefined();
  });

  it('DeadlineError is a GenericError', () => {
    expect(new DeadlineError('late')).toBeInstanceOf(GenericError);
  });

  it('OcfError takes any OCF code directly', () => {
    const error = new OcfError(7, 'not running');
    expect(error.code).toBe(7);
    expect(error.name).toBe('OcfError');
  });
});
