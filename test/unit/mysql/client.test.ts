import { describe, expect, it } from 'vitest';
import { SqlError, quoteTable } from '../../../shared/mysql/client.ts';

describe('quoteTable', () => {
  it.each<[string, string]>([
    ['user', '`user`'],
    ['mysql.user', '`mysql`.`user`'],
    ['my db.my table', '`my db`.`my table`'],
    ['odd`name', '`odd``name`'],
    ['db.t`; DROP TABLE x; --', '`db`.`t``; DROP TABLE x; --`'],
    ['a.b.c', '`a`.`b`.`c`'],
  ])('quotes %j as %s', (name, quoted) => {
    expect(quoteTable(name)).toBe(quoted);
  });
});

describe('SqlError', () => {
  it('keeps the driver code, errno and cause', () => {
    const cause = new Error('driver');
    const error = new SqlError('connect as root: denied', 'ER_ACCESS_DENIED_ERROR', 1045, { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SqlError');
    expect(error.message).toBe('connect as root: denied');
    expect(error.code).toBe('ER_ACCESS_DENIED_ERROR');
    expect(error.errno).toBe(1045);
    expect(error.cause).toBe(cause);
  });

  it.each<[string, number | undefined, boolean]>([
    ['ER_ACCESS_DENIED_ERROR', 1045, true],
    ['ER_DBACCESS_DENIED_ERROR', 1044, true],
    ['UNKNOWN', 1045, true],
    ['ECONNREFUSED', undefined, false],
    ['ER_NO_SUCH_TABLE', 1146, false],
  ])('%s (errno %s) is access denied: %s', (code, errno, denied) => {
    expect(new SqlError('x', code, errno).accessDenied).toBe(denied);
  });

  it.each<[string, boolean]>([
    ['ETIMEDOUT', true],
    ['PROTOCOL_SEQUENCE_TIMEOUT', true],
    ['ECONNREFUSED', false],
  ])('%s is a timeout: %s', (code, timedOut) => {
    expect(new SqlError('x', code, undefined).timedOut).toBe(timedOut);
  });
});
