import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotInstalledError } from '../../../shared/ocf/errors.ts';
import { OCF } from '../../../shared/ocf/exit-codes.ts';
import { assertExecutable } from '../../../shared/process/access.ts';

describe('a program a parameter names must be there to run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsha-exec-'));
  const plain = join(dir, 'mysqld');
  writeFileSync(plain, '', { mode: 0o644 });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an executable path passes', () => {
    expect(() => assertExecutable('binary', '/bin/sh')).not.toThrow();
  });

  it.each([
    ['a bare name found nowhere on the PATH', 'no-such-mysqld', "binary no-such-mysqld is not installed: not found on the agent's PATH"],
    ['a missing path', '/nonexistent/mysqld', 'binary /nonexistent/mysqld is not installed or not executable'],
    ['a file that is not executable', plain, `binary ${plain} is not installed or not executable`],
    ['a folder', dir, `binary ${dir} is not installed or not executable`],
  ])('%s is not installed (5), not a configuration error (6)', (_what, program, reason) => {
    let error: unknown;
    try {
      assertExecutable('binary', program);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotInstalledError);
    expect((error as NotInstalledError).code).toBe(OCF.ERR_INSTALLED);
    expect((error as Error).message).toBe(reason);
  });
});
