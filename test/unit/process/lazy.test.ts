import * as childProcessModule from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childProcess } from '../../../shared/process/lazy.ts';

describe('childProcess', () => {
  it('is node:child_process, loaded on first use', () => {
    expect(childProcess().spawnSync).toBe(childProcessModule.spawnSync);
  });

  it('runs a real command', () => {
    const r = childProcess().spawnSync('sh', ['-c', 'echo ok'], { encoding: 'utf8' });
    expect(r.stdout).toBe('ok\n');
  });
});
