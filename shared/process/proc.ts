import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** What /proc says about one process, read without forking ps. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Session id: a daemon started by startDaemon leads its own (setsid). */
  readonly session: number;
  /** R, S, D, T (stopped), t (traced), Z (zombie), X (dead), I (idle). */
  readonly state: string;
  /** Start time in clock ticks after boot: with the pid, a process's identity. */
  readonly startTicks: number;
  readonly argv: readonly string[];
  /** The executable, if readable (root, or the same user). */
  readonly exe: string | undefined;
  readonly uid: number | undefined;
}

export function readProcess(pid: number): ProcessInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name sits in parentheses and may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let argv: string[] = [];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (argv.at(-1) === '') argv.pop();
  } catch {
    // The process may have exited between the reads.
  }
  let exe: string | undefined;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    exe = undefined;
  }
  let uid: number | undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = /^Uid:\s+(\d+)/m.exec(status);
    uid = m ? Number(m[1]) : undefined;
  } catch {
    uid = undefined;
  }
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    session: Number(fields[3]),
    startTicks: Number(fields[19]),
    argv,
    exe,
    uid,
  };
}

/** Every process this PID namespace shows, by one pass over /proc. */
export function allProcesses(): ProcessInfo[] {
  const all: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    const p = /^\d+$/.test(entry) ? readProcess(Number(entry)) : undefined;
    if (p) all.push(p);
  }
  return all;
}

/** Alive means it exists and is not a zombie: a zombie has already let go of everything. */
export function isLive(info: ProcessInfo | undefined): info is ProcessInfo {
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
}

/** Stopped by a signal (SIGSTOP/SIGTSTP) or a debugger: alive but serving nothing. */
export function isFrozen(info: ProcessInfo): boolean {
  return info.state === 'T' || info.state === 't';
}

/** Signals a process; true if it existed. */
export function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (error) {
    // EPERM: it exists but is not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every live process whose parent chain leads to `root`, found by one pass over /proc. */
export function descendants(root: number, all: readonly ProcessInfo[]): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const p of all) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const out: ProcessInfo[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** One variable of a process's environment (readable by root or the same user), or undefined. */
export function environmentOf(pid: number, name: string): string | undefined {
  try {
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      if (entry.startsWith(`${name}=`)) return entry.slice(name.length + 1);
    }
  } catch {
    // gone, or not ours to read
  }
  return undefined;
}
