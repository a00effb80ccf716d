import { describe, expect, it } from 'vitest';
import { findAccount, findGroup, memberOf } from '../../../shared/process/users.ts';

describe('findAccount', () => {
  it('root exists with uid 0, gid 0 and its home', () => {
    expect(findAccount('root')).toEqual({ name: 'root', uid: 0, gid: 0, home: '/root' });
  });

  it('nobody exists with uid 65534', () => {
    expect(findAccount('nobody')).toMatchObject({ name: 'nobody', uid: 65534, gid: 65534 });
  });

  it('a missing name returns undefined', () => {
    expect(findAccount('no-such-user-tsha')).toBeUndefined();
  });

  it.each<[string, number]>([
    ['0', 0],
    ['1234', 1234],
    ['65534', 65534],
  ])('a numeric id %j is accepted as it is', (name, id) => {
    expect(findAccount(name)).toEqual({ name, uid: id, gid: id, home: '/' });
  });

  it('a name that only starts with digits is a name', () => {
    expect(findAccount('123abc')).toBeUndefined();
  });
});

describe('findGroup', () => {
  it('root exists with gid 0', () => {
    expect(findGroup('root')).toEqual({ name: 'root', gid: 0 });
  });

  it('nogroup exists with gid 65534', () => {
    expect(findGroup('nogroup')).toEqual({ name: 'nogroup', gid: 65534 });
  });

  it('a missing name returns undefined', () => {
    expect(findGroup('no-such-group-tsha')).toBeUndefined();
  });

  it('a numeric id is accepted as it is', () => {
    expect(findGroup('4321')).toEqual({ name: '4321', gid: 4321 });
  });
});

describe('memberOf', () => {
  it('starts with the primary group', () => {
    expect(memberOf({ name: 'nobody', uid: 65534, gid: 65534, home: '/' })[0]).toBe(65534);
  });

  it('an account named in no group line has only its primary group', () => {
    expect(memberOf({ name: 'no-such-user-tsha', uid: 4000, gid: 4000, home: '/' })).toEqual([4000]);
  });
});
