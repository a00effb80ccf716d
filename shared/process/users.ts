import { childProcess } from '../ocf/builtins.ts';
import { readFileSync } from 'node:fs';

export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export interface Group {
  readonly name: string;
  readonly gid: number;
}

function fromFile(path: string, name: string): string[] | undefined {
  try {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const fields = line.split(':');
      if (fields[0] === name) return fields;
    }
  } catch {
    // fall through to NSS
  }
  return undefined;
}

/** getent answers for NSS sources beyond the files (LDAP, sssd); asked only when the files do not know the name. */
function fromNss(database: 'passwd' | 'group', name: string): string[] | undefined {
  const r = childProcess().spawnSync('getent', [database, name], { encoding: 'utf8', timeout: 2000, env: { PATH: '/usr/bin:/bin' } });
  return r.status === 0 ? r.stdout.trim().split(':') : undefined;
}

function lookup(database: 'passwd' | 'group', name: string): string[] | undefined {
  if (/^\d+$/.test(name)) {
    // A numeric id is accepted as it is, as chown(1) does.
    return database === 'passwd' ? [name, 'x', name, name, '', '/'] : [name, 'x', name];
  }
  return fromFile(`/etc/${database}`, name) ?? fromNss(database, name);
}

export function findAccount(name: string): Account | undefined {
  const f = lookup('passwd', name);
  if (!f) return undefined;
  return { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/' };
}

export function findGroup(name: string): Group | undefined {
  const f = lookup('group', name);
  if (!f) return undefined;
  return { name: f[0]!, gid: Number(f[2]) };
}

/** Supplementary group ids of an account, from /etc/group. */
export function memberOf(account: Account): number[] {
  const gids = [account.gid];
  try {
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const [, , gid, members] = line.split(':');
      if (members?.split(',').includes(account.name)) gids.push(Number(gid));
    }
  } catch {
    // primary group only
  }
  return gids;
}
