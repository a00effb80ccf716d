import { fstatSync, writeSync } from 'node:fs';

/**
 * Writes to standard output (1) or error (2) straight to the file descriptor. process.stdout and
 * process.stderr build a stream on first use, and for a pipe, as Pacemaker gives an agent, that loads
 * node:net and its streams: milliseconds on every meta-data call for nothing. A descriptor the parent made
 * non-blocking can refuse a write (EAGAIN); the rest then goes through the stream, which waits.
 */
export function writeOut(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(offset));
  }
}

/**
 * Is `fd` a terminal (a person running the agent by hand)? Read from the device number, not with
 * node:tty's isatty: loading node:tty costs 2–3 ms on every action (bench/startup.ts), and the agents
 * run on Linux only. A terminal is a character device of major 4 (virtual consoles, serial lines), 5
 * (/dev/tty, /dev/console) or 136–143 (pseudo-terminals: ssh, tmux, screen). /dev/null is a character
 * device too (major 1), hence the numbers.
 */
export function isTerminal(fd: number): boolean {
  let rdev: number;
  try {
    const st = fstatSync(fd);
    if (!st.isCharacterDevice()) return false;
    rdev = st.rdev;
  } catch {
    return false; // closed: no one is there
  }
  return isTerminalDevice(linuxMajor(rdev));
}

/** The major number of a Linux dev_t (glibc's gnu_dev_major: bits 8–19 and 32–43). */
export function linuxMajor(rdev: number): number {
  return ((Math.floor(rdev / 0x100) & 0xfff) | (Math.floor(rdev / 0x1_0000_0000) & ~0xfff)) >>> 0;
}

export function isTerminalDevice(major: number): boolean {
  return major === 4 || major === 5 || (major >= 136 && major <= 143);
}
