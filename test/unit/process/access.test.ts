import { chmodSync, chownSync, readFileSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountCan, statOrUndefined, type Access } from '../../../shared/process/access.ts';
import type { Account } from '../../../shared/process/users.ts';
import { useTempDirs } from '../helpers.ts';

const tempDir = useTempDirs();

// nobody:nogroup, and an account of another uid whose primary group is nogroup.
const NOBODY: Account = { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' };
const GROUPMATE: Account = { name: 'tsha-groupmate', uid: 4242, gid: 65534, home: '/' };
const STRANGER: Account = { name: 'tsha-stranger', uid: 4343, gid: 4343, home: '/' };
const ROOT: Account = { name: 'root', uid: 0, gid: 0, home: '/root' };

/** A real file owned by nobody:nogroup with the given mode. */
function file(mode: number): Stats {
  const path = join(tempDir(), 'f');
  writeFileSync(path, '');
  chownSync(path, 65534, 65534);
  chmodSync(path, mode);
  return statSync(path);
}

type Row = [string, Account, number, Access, boolean];

/** A group with a listed member in /etc/group (e.g. ssl-cert:x:103:postgres), if there is one. */
const listed = ((): { gid: number; member: string } | undefined => {
  for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
    const [, , gid, members] = line.split(':');
    const member = members?.split(',').find((m) => m !== '');
    if (member && gid) return { gid: Number(gid), member };
  }
  return undefined;
})();

describe('accountCan', () => {
  it.each<Row>([
    // owner bits
    ['the owner', NOBODY, 0o600, 'read', true],
    ['the owner', NOBODY, 0o600, 'write', true],
    ['the owner', NOBODY, 0o600, 'execute', false],
    ['the owner', NOBODY, 0o400, 'write', false],
    ['the owner', NOBODY, 0o700, 'execute', true],
    // the owner's bits decide for the owner, even when group or other would allow
    ['the owner', NOBODY, 0o077, 'read', false],
    // group bits
    ['a group member', GROUPMATE, 0o640, 'read', true],
    ['a group member', GROUPMATE, 0o640, 'write', false],
    ['a group member', GROUPMATE, 0o660, 'write', true],
    ['a group member', GROUPMATE, 0o610, 'execute', true],
    ['a group member', GROUPMATE, 0o604, 'read', false],
    // other bits
    ['another account', STRANGER, 0o644, 'read', true],
    ['another account', STRANGER, 0o640, 'read', false],
    ['another account', STRANGER, 0o646, 'write', true],
    ['another account', STRANGER, 0o664, 'write', false],
    ['another account', STRANGER, 0o755, 'execute', true],
    ['another account', STRANGER, 0o750, 'execute', false],
    // root
    ['root', ROOT, 0o000, 'read', true],
    ['root', ROOT, 0o000, 'write', true],
    ['root', ROOT, 0o000, 'execute', false],
    ['root', ROOT, 0o001, 'execute', true],
    ['root', ROOT, 0o100, 'execute', true],
  ])('%s of a nobody:nogroup file with mode %o may %s it: %s', (_, account, mode, access, allowed) => {
    expect(accountCan(account, file(mode), access)).toBe(allowed);
  });

  it.skipIf(listed === undefined)('a supplementary group listed in /etc/group counts', () => {
    const { gid, member } = listed!;
    const path = join(tempDir(), 'key.pem');
    writeFileSync(path, '');
    chownSync(path, 0, gid);
    chmodSync(path, 0o640);
    // Neither owner nor primary group: only the /etc/group membership lets it read.
    expect(accountCan({ name: member, uid: 5555, gid: 5555, home: '/' }, statSync(path), 'read')).toBe(true);
    expect(accountCan({ name: 'tsha-outsider', uid: 5556, gid: 5556, home: '/' }, statSync(path), 'read')).toBe(false);
  });
});

describe('statOrUndefined', () => {
  it('stats an existing path', () => {
    expect(statOrUndefined(tempDir())?.isDirectory()).toBe(true);
  });

  it('is undefined for a missing path', () => {
    expect(statOrUndefined(join(tempDir(), 'missing'))).toBeUndefined();
  });
});
