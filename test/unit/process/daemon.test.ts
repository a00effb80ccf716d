import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnDaemon } from '../../../shared/process/daemon.ts';
import { isLive, readProcess, signal } from '../../../shared/process/proc.ts';
import { useTempDirs } from '../helpers.ts';

const tempDir = useTempDirs();
const started: number[] = [];
afterEach(async () => {
  for (const pid of started.splice(0)) {
    signal(pid, 'SIGKILL');
    await vi.waitFor(() => expect(isLive(readProcess(pid))).toBe(false));
  }
});

const sessionOf = (pid: number): number | undefined => readProcess(pid)?.session;

describe('spawnDaemon', () => {
  it('starts the daemon in its own session with its output appended to the log', async () => {
    const logFile = join(tempDir(), 'daemon.log');
    const daemon = await spawnDaemon({ file: 'sh', args: ['-c', 'echo out; echo err >&2; exec sleep 60'], logFile });
    started.push(daemon.pid);
    expect(sessionOf(daemon.pid)).toBe(daemon.pid);
    await vi.waitFor(() => expect(readFileSync(logFile, 'utf8')).toBe('out\nerr\n'));
  });

  it('appends to an existing log', async () => {
    const logFile = join(tempDir(), 'daemon.log');
    const first = await spawnDaemon({ file: 'sh', args: ['-c', 'echo first'], logFile });
    await first.exited;
    const second = await spawnDaemon({ file: 'sh', args: ['-c', 'echo second'], logFile });
    await second.exited;
    expect(readFileSync(logFile, 'utf8')).toBe('first\nsecond\n');
  });

  it('exited settles with the exit code when the daemon quits early', async () => {
    const daemon = await spawnDaemon({ file: 'sh', args: ['-c', 'exit 3'], logFile: join(tempDir(), 'log') });
    await expect(daemon.exited).resolves.toEqual({ code: 3, signal: null });
  });

  it('exited settles with the signal when the daemon is killed', async () => {
    const daemon = await spawnDaemon({ file: 'sleep', args: ['60'], logFile: join(tempDir(), 'log') });
    process.kill(daemon.pid, 'SIGTERM');
    await expect(daemon.exited).resolves.toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('runs in the given directory with the given environment, stdin from /dev/null', async () => {
    const dir = tempDir();
    const logFile = join(dir, 'log');
    const daemon = await spawnDaemon({
      file: '/bin/sh',
      args: ['-c', 'pwd; echo "$GREETING"; cat; echo end'],
      logFile,
      cwd: dir,
      env: { GREETING: 'hello' },
    });
    await daemon.exited;
    expect(readFileSync(logFile, 'utf8')).toBe(`${dir}\nhello\nend\n`);
  });

  it('runs as the given user and group', async () => {
    const logFile = join(tempDir(), 'log');
    const daemon = await spawnDaemon({ file: 'sleep', args: ['60'], logFile, uid: 65534, gid: 65534 });
    started.push(daemon.pid);
    expect(readProcess(daemon.pid)!.uid).toBe(65534);
  });

  it('a missing executable is refused', async () => {
    await expect(spawnDaemon({ file: '/nonexistent/mysqld', args: [], logFile: join(tempDir(), 'log') })).rejects.toThrow(/ENOENT/);
  });
});
