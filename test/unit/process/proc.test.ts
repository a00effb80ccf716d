import { readdirSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { allProcesses, descendants, isFrozen, isLive, readProcess, signal, type ProcessInfo } from '../../../shared/process/proc.ts';
import { exited, useProcesses } from '../helpers.ts';

const start = useProcesses();

describe('readProcess', () => {
  it('reads a running sleep: state, parent, argv, start time, executable, uid', async () => {
    const child = await start('sleep', ['60']);
    const info = readProcess(child.pid);
    expect(info).toBeDefined();
    expect(info!.pid).toBe(child.pid);
    expect(info!.ppid).toBe(process.pid);
    expect(['S', 'R']).toContain(info!.state);
    expect(info!.argv).toEqual(['sleep', '60']);
    expect(Number.isInteger(info!.startTicks)).toBe(true);
    expect(info!.startTicks).toBeGreaterThan(0);
    expect(info!.exe).toMatch(/\/sleep$/);
    expect(info!.uid).toBe(process.getuid!());
    expect(isLive(info)).toBe(true);
    expect(isFrozen(info!)).toBe(false);
  });

  it('the start time stays the same for the life of the process', async () => {
    const child = await start('sleep', ['60']);
    expect(readProcess(child.pid)!.startTicks).toBe(readProcess(child.pid)!.startTicks);
  });

  it('a later process has a later or equal start time', async () => {
    const first = await start('sleep', ['60']);
    const second = await start('sleep', ['60']);
    expect(readProcess(second.pid)!.startTicks).toBeGreaterThanOrEqual(readProcess(first.pid)!.startTicks);
  });

  it('reads a command name holding spaces and parentheses', async () => {
    // The kernel's comm is "sleep"; exec -a renames argv[0], which /proc/<pid>/cmdline shows.
    const child = await start('bash', ['-c', 'exec -a "my (odd) name" sleep 60']);
    await vi.waitFor(() => expect(readProcess(child.pid)!.argv[0]).toBe('my (odd) name'));
    const info = readProcess(child.pid)!;
    expect(info.ppid).toBe(process.pid);
    expect(info.argv).toEqual(['my (odd) name', '60']);
  });

  it('reads this process too', () => {
    const me = readProcess(process.pid)!;
    expect(me.state).toBe('R');
    expect(me.ppid).toBe(process.ppid);
  });

  it('a process that has exited reads as undefined, which is not live', async () => {
    const child = await start('true');
    await exited(child);
    expect(readProcess(child.pid)).toBeUndefined();
    expect(isLive(readProcess(child.pid))).toBe(false);
  });

  it('a pid that never existed reads as undefined', () => {
    expect(readProcess(2 ** 30)).toBeUndefined();
  });
});

describe('isFrozen', () => {
  it('a process stopped with SIGSTOP is frozen but live, and thaws with SIGCONT', async () => {
    const child = await start('sleep', ['60']);
    process.kill(child.pid, 'SIGSTOP');
    await vi.waitFor(() => expect(readProcess(child.pid)!.state).toBe('T'));
    const info = readProcess(child.pid)!;
    expect(isFrozen(info)).toBe(true);
    expect(isLive(info)).toBe(true);
    process.kill(child.pid, 'SIGCONT');
    await vi.waitFor(() => expect(isFrozen(readProcess(child.pid)!)).toBe(false));
  });

  it.each([
    ['T', true],
    ['t', true],
    ['S', false],
    ['R', false],
    ['D', false],
  ])('state %s is frozen: %s', (state, frozen) => {
    expect(isFrozen(info(1, 0, state))).toBe(frozen);
  });
});

describe('isLive', () => {
  it.each([
    ['R', true],
    ['S', true],
    ['D', true],
    ['T', true],
    ['I', true],
    ['Z', false],
    ['X', false],
  ])('state %s is live: %s', (state, live) => {
    expect(isLive(info(1, 0, state))).toBe(live);
  });

  it('an absent process is not live', () => {
    expect(isLive(undefined)).toBe(false);
  });
});

describe('signal', () => {
  it('signal 0 is true for a live process and false for a gone one', async () => {
    const child = await start('sleep', ['60']);
    expect(signal(child.pid, 0)).toBe(true);
    const gone = await start('true');
    await exited(gone);
    expect(signal(gone.pid, 0)).toBe(false);
  });

  it('delivers the signal', async () => {
    const child = await start('sleep', ['60']);
    expect(signal(child.pid, 'SIGTERM')).toBe(true);
    await exited(child);
    expect(child.signalCode).toBe('SIGTERM');
  });
});

function info(pid: number, ppid: number, state = 'S'): ProcessInfo {
  return { pid, ppid, session: 1, state, startTicks: pid, argv: [`p${pid}`], exe: undefined, uid: 0 };
}

describe('descendants', () => {
  //   1 ─┬─ 10 ─┬─ 11 ── 13
  //      │      └─ 12
  //      └─ 20 ── 21
  const all = [info(1, 0), info(10, 1), info(11, 10), info(12, 10), info(13, 11), info(20, 1), info(21, 20), info(30, 0)];
  const pids = (list: ProcessInfo[]) => list.map((p) => p.pid).sort((a, b) => a - b);

  it.each<[number, number[]]>([
    [10, [11, 12, 13]],
    [11, [13]],
    [20, [21]],
    [1, [10, 11, 12, 13, 20, 21]],
    [13, []],
    [99, []],
  ])('the descendants of %i are %j', (root, expected) => {
    expect(pids(descendants(root, all))).toEqual(expected);
  });

  it('lists children before grandchildren', () => {
    expect(descendants(10, all).map((p) => p.pid)).toEqual([11, 12, 13]);
  });

  it('the descendants of a real shell include its sleeping child', async () => {
    const shell = await start('sh', ['-c', 'sleep 60 & wait']);
    try {
      await vi.waitFor(() => {
        expect(descendants(shell.pid, scan()).map((p) => p.argv)).toContainEqual(['sleep', '60']);
      });
      expect(descendants(shell.pid, scan()).every((p) => p.ppid === shell.pid)).toBe(true);
    } finally {
      // The shell is killed after the test; its child would outlive it.
      for (const p of descendants(shell.pid, scan())) signal(p.pid, 'SIGKILL');
    }
  });
});

/** Every process /proc lists, as readProcess sees it. */
function scan(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
}

describe('readProcess session', () => {
  it('reads the session id: a process started with setsid leads its own', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn('setsid', ['sleep', '30'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const leader = readProcess(child.pid!);
      expect(leader).toBeDefined();
      // setsid forks when it is a group leader; either way the sleep it runs leads a session of its own.
      const sleeper = [child.pid!, ...descendants(child.pid!, allProcesses()).map((p) => p.pid)]
        .map(readProcess)
        .find((p) => p?.argv[0] === 'sleep');
      expect(sleeper?.session).toBe(sleeper?.pid);
      expect(readProcess(process.pid)?.session).not.toBe(sleeper?.pid);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
