import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectPidFile, readPid } from '../../../shared/process/pid-file.ts';
import type { ProcessInfo } from '../../../shared/process/proc.ts';
import { exited, useProcesses, useTempDirs } from '../helpers.ts';

const tempDir = useTempDirs();
const start = useProcesses();

const isSleep = (p: ProcessInfo) => p.argv[0] === 'sleep';
const isMysqld = (p: ProcessInfo) => p.argv[0] === 'mysqld';

function pidFile(text: string): string {
  const path = join(tempDir(), 'mysqld.pid');
  writeFileSync(path, text);
  return path;
}

describe('readPid', () => {
  it.each<[string, number]>([
    ['1234', 1234],
    ['1234\n', 1234],
    ['  77  \n', 77],
  ])('reads %j as %i', (text, pid) => {
    expect(readPid(pidFile(text))).toBe(pid);
  });

  it.each(['', 'garbage', '12abc', '12 34', '1', '0', '-5', '1.5', '99999999999999999999'])('%j is not a pid', (text) => {
    const result = readPid(pidFile(text));
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/^pid file .*mysqld\.pid does not hold a pid \(/);
  });

  it('an absent file is undefined', () => {
    expect(readPid(join(tempDir(), 'none.pid'))).toBeUndefined();
  });

  it('a file that cannot be read is an error', () => {
    const dir = join(tempDir(), 'a-directory.pid');
    mkdirSync(dir);
    expect(readPid(dir)).toBeInstanceOf(Error);
  });
});

describe('inspectPidFile', () => {
  it('no pid file is absent', () => {
    expect(inspectPidFile(join(tempDir(), 'mysqld.pid'), isSleep)).toEqual({ kind: 'absent' });
  });

  it('a pid file holding garbage is unreadable, and says what it holds', () => {
    const state = inspectPidFile(pidFile('not a pid\n'), isSleep);
    expect(state.kind).toBe('unreadable');
    expect(state.kind === 'unreadable' && state.detail).toContain('"not a pid\\n"');
  });

  it('a pid file that cannot be read is unreadable', () => {
    const dir = join(tempDir(), 'dir.pid');
    mkdirSync(dir);
    expect(inspectPidFile(dir, isSleep)).toMatchObject({ kind: 'unreadable', detail: expect.stringContaining('EISDIR') });
  });

  it('the pid of a process that exited is stale', async () => {
    const child = await start('true');
    await exited(child);
    expect(inspectPidFile(pidFile(`${child.pid}\n`), isSleep)).toEqual({ kind: 'stale', pid: child.pid });
  });

  it('a live process that the matcher rejects is foreign', async () => {
    const child = await start('sleep', ['60']);
    const state = inspectPidFile(pidFile(`${child.pid}\n`), isMysqld);
    expect(state.kind).toBe('foreign');
    expect(state.kind === 'foreign' && state.pid).toBe(child.pid);
    expect(state.kind === 'foreign' && state.process.argv).toEqual(['sleep', '60']);
  });

  it('a live process that the matcher accepts is running', async () => {
    const child = await start('sleep', ['60']);
    const state = inspectPidFile(pidFile(`${child.pid}\n`), isSleep);
    expect(state.kind).toBe('running');
    expect(state.kind === 'running' && state.pid).toBe(child.pid);
    expect(state.kind === 'running' && state.process.ppid).toBe(process.pid);
  });

  it('the matcher sees the process the file names', async () => {
    const child = await start('sleep', ['61']);
    const seen: ProcessInfo[] = [];
    inspectPidFile(pidFile(String(child.pid)), (p) => (seen.push(p), true));
    expect(seen.map((p) => [p.pid, p.argv])).toEqual([[child.pid, ['sleep', '61']]]);
  });
});
