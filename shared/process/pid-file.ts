import { readFileSync } from 'node:fs';
import { GenericError } from '../ocf/errors.ts';
import { isLive, readProcess, type ProcessInfo } from './proc.ts';

export type PidFileState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'unreadable'; readonly detail: string }
  | { readonly kind: 'stale'; readonly pid: number }
  /** The pid is alive but is not our daemon: never kill it, never delete its file. */
  | { readonly kind: 'foreign'; readonly pid: number; readonly process: ProcessInfo }
  | { readonly kind: 'running'; readonly pid: number; readonly process: ProcessInfo };

export function readPid(path: string): number | undefined | Error {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return error as Error;
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isSafeInteger(pid) || pid <= 1 || String(pid) !== text.trim()) {
    return new Error(`pid file ${path} does not hold a pid (${JSON.stringify(text.slice(0, 20))})`);
  }
  return pid;
}

/**
 * Reads a pid file and checks that the pid is really the daemon (`matches` decides from its command
 * line or executable), so a recycled pid is never mistaken for it.
 */
export function inspectPidFile(path: string, matches: (p: ProcessInfo) => boolean): PidFileState {
  const pid = readPid(path);
  if (pid === undefined) return { kind: 'absent' };
  if (pid instanceof Error) return { kind: 'unreadable', detail: pid.message };
  const process = readProcess(pid);
  if (!isLive(process)) return { kind: 'stale', pid };
  return matches(process) ? { kind: 'running', pid, process } : { kind: 'foreign', pid, process };
}

export type DaemonPresence =
  /** `crashed`: the file outlived its daemon, which a clean shutdown never leaves behind. */
  | { readonly kind: 'stopped'; readonly detail: string; readonly crashed: boolean; readonly file: 'absent' | 'stale' | 'foreign' }
  | { readonly kind: 'running'; readonly process: ProcessInfo };

/**
 * Where a daemon is, by its identity-checked pid file, in the words an exit reason uses. An unreadable
 * pid file is an error, never "stopped". Whether a running daemon serves is the caller's to check.
 */
export function locateDaemon(path: string, matches: (p: ProcessInfo) => boolean, name: string): DaemonPresence {
  const state = inspectPidFile(path, matches);
  switch (state.kind) {
    case 'unreadable':
      throw new GenericError(state.detail);
    case 'absent':
      return { kind: 'stopped', file: 'absent', crashed: false, detail: `no pid file ${path}` };
    case 'stale':
      return { kind: 'stopped', file: 'stale', crashed: true, detail: `pid file ${path} names pid ${state.pid}, which is gone` };
    case 'foreign':
      return {
        kind: 'stopped',
        file: 'foreign',
        crashed: false,
        detail: `pid file ${path} names pid ${state.pid} (${state.process.argv[0] ?? '?'}), which is not ${name}`,
      };
    case 'running':
      return { kind: 'running', process: state.process };
  }
}
