import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialsFrom, readOptionFile } from '../../../shared/mysql/option-file.ts';
import { useTempDirs } from '../helpers.ts';

const tempDir = useTempDirs();

function optionFile(text: string): Map<string, Map<string, string>> {
  const path = join(tempDir(), 'client.cnf');
  writeFileSync(path, text, { mode: 0o600 });
  return readOptionFile(path);
}

const asObject = (groups: Map<string, Map<string, string>>) =>
  Object.fromEntries([...groups].map(([name, g]) => [name, Object.fromEntries(g)]));

describe('readOptionFile', () => {
  it('reads [client] user and password', () => {
    expect(asObject(optionFile('[client]\nuser = monitor\npassword = s3cret\n'))).toEqual({
      client: { user: 'monitor', password: 's3cret' },
    });
  });

  it.each<[string, string]>([
    ['password = "with spaces"', 'with spaces'],
    ["password = 'single'", 'single'],
    ['password = "a#b"', 'a#b'],
    ['password = "it\'s"', "it's"],
    ['password = "unbalanced', '"unbalanced'],
    ['password = "mixed\'', '"mixed\''],
    ['password = ""', ''],
    ['password = "', '"'],
    ['password=tight', 'tight'],
    ['password =   padded   ', 'padded'],
    ['password = a=b=c', 'a=b=c'],
  ])('%s reads as %j', (line, value) => {
    expect(optionFile(`[client]\n${line}\n`).get('client')?.get('password')).toBe(value);
  });

  it('ignores comment lines and blank lines', () => {
    const groups = optionFile(
      ['# a comment', '; another', '', '[client]', '  # indented comment', 'user = u', '', '; password = no', ''].join('\n'),
    );
    expect(asObject(groups)).toEqual({ client: { user: 'u' } });
  });

  it('ignores a # comment at the end of a line, as the mysql client does', () => {
    const groups = optionFile(
      ['[client]   # credentials for the monitor', 'user = monitor # not root', 'password = "p#w" # quoted', ''].join('\n'),
    );
    expect(asObject(groups)).toEqual({ client: { user: 'monitor', password: 'p#w' } });
  });

  it.each<[string, string]>([
    ['password = pass#word', 'pass'],
    ["password = 'it''s#not'", "it''s#not"],
    ['password = "a#b"#c', 'a#b'],
    ['password = "x\'#" # y', "x'#"],
  ])('%s reads as %j, as mysql reads it', (line, value) => {
    expect(optionFile(`[client]\n${line}\n`).get('client')?.get('password')).toBe(value);
  });

  it('normalises dashes in keys to underscores and lower-cases keys and groups', () => {
    const groups = optionFile('[Client]\nDefault-Character-Set = utf8mb4\nssl-ca = /etc/ca.pem\n');
    expect(asObject(groups)).toEqual({ client: { default_character_set: 'utf8mb4', ssl_ca: '/etc/ca.pem' } });
  });

  it('a key without a value reads as empty', () => {
    expect(optionFile('[mysqld]\nskip-name-resolve\n').get('mysqld')?.get('skip_name_resolve')).toBe('');
  });

  it('ignores options before the first group', () => {
    expect(asObject(optionFile('user = nobody\n[client]\nuser = u\n'))).toEqual({ client: { user: 'u' } });
  });

  it('keeps each group apart, a later value of a key winning', () => {
    const groups = optionFile('[client]\nuser = a\nuser = b\n[tsha-test]\nuser = t\n[ mysqld ]\nport = 3306\n');
    expect(asObject(groups)).toEqual({ client: { user: 'b' }, 'tsha-test': { user: 't' }, mysqld: { port: '3306' } });
  });

  it('reads CRLF line endings', () => {
    expect(asObject(optionFile('[client]\r\nuser = u\r\npassword = p\r\n'))).toEqual({ client: { user: 'u', password: 'p' } });
  });

  it('a missing file throws', () => {
    expect(() => readOptionFile(join(tempDir(), 'missing.cnf'))).toThrow(/ENOENT/);
  });
});

describe('credentialsFrom', () => {
  const groups = optionFile(
    [
      '[client]',
      'user = client-user',
      'password = client-pw',
      '[tsha-test]',
      'user = test-user',
      '[other]',
      'password = other-pw',
      '',
    ].join('\n'),
  );

  it('takes each of user and password from the first group in the order that has it', () => {
    expect(credentialsFrom(groups, ['tsha-test', 'client'])).toEqual({ user: 'test-user', password: 'client-pw' });
  });

  it('the order decides', () => {
    expect(credentialsFrom(groups, ['client', 'tsha-test'])).toEqual({ user: 'client-user', password: 'client-pw' });
    expect(credentialsFrom(groups, ['other', 'tsha-test'])).toEqual({ user: 'test-user', password: 'other-pw' });
  });

  it('missing groups are skipped', () => {
    expect(credentialsFrom(groups, ['nope', 'tsha-test'])).toEqual({ user: 'test-user' });
  });

  it('no group gives nothing', () => {
    expect(credentialsFrom(groups, [])).toEqual({});
  });

  it('an empty password counts as given', () => {
    expect(credentialsFrom(optionFile('[a]\npassword =\n[b]\npassword = x\n'), ['a', 'b'])).toEqual({ password: '' });
  });
});
