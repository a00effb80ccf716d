/** Shared fixtures for the unit tests: temp dirs and child processes that are always cleaned up. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** Returns a maker of fresh temp dirs; every dir it made is removed after each test. */
export function useTempDirs(prefix = 'tsha-unit-'): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves when the child has exited (and been reaped by Node). */
export async function exited(child: ChildProcess): Promise<void> {
  if (!hasExited(child)) await once(child, 'exit');
}

/**
 * Returns a spawner of real processes; every process it started is SIGKILLed (if still there) and
 * reaped after each test.
 */
export function useProcesses(): (file: string, args?: readonly string[]) => Promise<ChildProcess & { pid: number }> {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (!hasExited(child)) {
        child.kill('SIGKILL');
        await exited(child);
      }
    }
  });
  return async (file, args = []) => {
    const child = spawn(file, args, { stdio: 'ignore' });
    children.push(child);
    await once(child, 'spawn');
    return child as ChildProcess & { pid: number };
  };
}
