import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath } from '../../../shared/ocf/executable.ts';

describe('a program given as a bare name is found on the PATH, as the shell agents find it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsha-path-'));
  const [first, second] = [join(dir, 'a'), join(dir, 'b')];
  mkdirSync(first);
  mkdirSync(second);
  writeFileSync(join(first, 'plain-file'), '');
  mkdirSync(join(first, 'a-folder'));
  writeFileSync(join(second, 'plain-file'), '#!/bin/sh\n');
  chmodSync(join(second, 'plain-file'), 0o755);
  writeFileSync(join(second, 'server'), '#!/bin/sh\n');
  chmodSync(join(second, 'server'), 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the first directory holding it as an executable file wins', () => {
    expect(findOnPath('server', `${first}:${second}`)).toBe(join(second, 'server'));
  });

  it('a file that is not executable, or a folder, is passed over', () => {
    expect(findOnPath('plain-file', `${first}:${second}`)).toBe(join(second, 'plain-file'));
    expect(findOnPath('a-folder', first)).toBeUndefined();
  });

  it('a program on no directory of the PATH is not found', () => {
    expect(findOnPath('no-such-program', `${first}:${second}`)).toBeUndefined();
    expect(findOnPath('server', undefined)).toBeUndefined();
  });

  it('empty and relative PATH entries are never searched (they would mean the current directory)', () => {
    expect(findOnPath('server', `:.:b`)).toBeUndefined();
  });

  it('a name with a slash is a path, not looked up', () => {
    expect(findOnPath(join(second, 'server'), second)).toBeUndefined();
    expect(findOnPath('b/server', dir)).toBeUndefined();
  });
});
