import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Deadline } from '../../../shared/ocf/deadline.ts';
import { GenericError } from '../../../shared/ocf/errors.ts';
import { Logger, logTargets } from '../../../shared/ocf/log.ts';
import { isLive, readProcess, type ProcessInfo } from '../../../shared/process/proc.ts';
import { terminate } from '../../../shared/process/terminate.ts';
import { exited, useProcesses, useTempDirs } from '../helpers.ts';

const tempDir = useTempDirs();
const start = useProcesses();

function logger(): { log: Logger; file: string } {
  const file = join(tempDir(), 'ha-log');
  return { log: new Logger('test(t)[1]', logTargets({ HA_LOGFILE: file, HA_LOGFACILITY: 'none' }, false)), file };
}

async function running(file: string, args: string[]): Promise<ProcessInfo> {
  const child = await start(file, args);
  return readProcess(child.pid)!;
}

/** A process that ignores SIGTERM: the shell sets the disposition, exec keeps it. */
async function stubborn(): Promise<ProcessInfo> {
  const child = await start('sh', ['-c', 'trap "" TERM; exec sleep 60']);
  // Once it is sleep, the trap is in place.
  await vi.waitFor(() => expect(readProcess(child.pid)!.argv).toEqual(['sleep', '60']));
  return readProcess(child.pid)!;
}

describe('terminate', () => {
  it('a process that exits on SIGTERM is gone without SIGKILL', async () => {
    const sleeper = await running('sleep', ['60']);
    const { log, file } = logger();
    const deadline = new Deadline(10_000);
    await expect(terminate([sleeper], { deadline, log, what: 'sleep' })).resolves.toEqual({ killed: false });
    expect(isLive(readProcess(sleeper.pid))).toBe(false);
    expect(existsSync(file)).toBe(false);
  });

  it('a process ignoring SIGTERM is SIGKILLed before the deadline, with a warning', async () => {
    const p = await stubborn();
    const { log, file } = logger();
    const deadline = new Deadline(3_000);
    const result = await terminate([p], { deadline, log, what: 'mysqld', killReserveMs: 2_500 });
    expect(result).toEqual({ killed: true });
    expect(deadline.expired()).toBe(false);
    expect(isLive(readProcess(p.pid))).toBe(false);
    expect(readFileSync(file, 'utf8')).toContain(`WARNING: mysqld (pid ${p.pid}) still running after SIGTERM; sending SIGKILL`);
  });

  it('a SIGSTOPped process is terminated all the same', async () => {
    const sleeper = await running('sleep', ['60']);
    process.kill(sleeper.pid, 'SIGSTOP');
    await vi.waitFor(() => expect(readProcess(sleeper.pid)!.state).toBe('T'));
    const { log } = logger();
    await expect(terminate([sleeper], { deadline: new Deadline(10_000), log, what: 'sleep' })).resolves.toEqual({ killed: false });
    expect(isLive(readProcess(sleeper.pid))).toBe(false);
  });

  it('a stopped process that also ignores SIGTERM is SIGKILLed', async () => {
    const p = await stubborn();
    process.kill(p.pid, 'SIGSTOP');
    await vi.waitFor(() => expect(readProcess(p.pid)!.state).toBe('T'));
    const { log } = logger();
    const deadline = new Deadline(3_000);
    await expect(terminate([p], { deadline, log, what: 'sleep', killReserveMs: 2_500 })).resolves.toEqual({ killed: true });
    expect(isLive(readProcess(p.pid))).toBe(false);
  });

  it('several processes are terminated together', async () => {
    const a = await running('sleep', ['60']);
    const b = await stubborn();
    const { log } = logger();
    const result = await terminate([a, b], { deadline: new Deadline(3_000), log, what: 'servers', killReserveMs: 2_500 });
    expect(result).toEqual({ killed: true });
    expect(isLive(readProcess(a.pid))).toBe(false);
    expect(isLive(readProcess(b.pid))).toBe(false);
  });

  it('an already-gone process resolves at once', async () => {
    const child = await start('sleep', ['60']);
    const info = readProcess(child.pid)!;
    child.kill('SIGKILL');
    await exited(child);
    const { log } = logger();
    // An expired deadline proves nothing waited.
    await expect(terminate([info], { deadline: new Deadline(0), log, what: 'gone' })).resolves.toEqual({ killed: false });
  });

  it('a recycled pid (same pid, another start time) is left alone', async () => {
    const sleeper = await running('sleep', ['60']);
    const { log } = logger();
    const impostor = { ...sleeper, startTicks: sleeper.startTicks - 1 };
    await expect(terminate([impostor], { deadline: new Deadline(1_000), log, what: 'old' })).resolves.toEqual({ killed: false });
    expect(isLive(readProcess(sleeper.pid))).toBe(true);
  });

  it('no processes: nothing to do', async () => {
    const { log } = logger();
    await expect(terminate([], { deadline: new Deadline(0), log, what: 'none' })).resolves.toEqual({ killed: false });
  });

  it('a survivor when the deadline has run out is a GenericError naming it', async () => {
    const p = await stubborn();
    const { log } = logger();
    const error = await terminate([p], { deadline: new Deadline(0), log, what: 'mysqld', killReserveMs: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GenericError);
    expect((error as Error).message).toBe(`mysqld (pid ${p.pid}) survived SIGKILL until the stop deadline`);
  });
});
