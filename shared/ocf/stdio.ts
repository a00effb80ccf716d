import { writeSync } from 'node:fs';
import { tty } from './builtins.ts';

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

/** Is `fd` a terminal (a person running the agent by hand)? node:tty is loaded only here. */
export function isTerminal(fd: number): boolean {
  return tty().isatty(fd);
}
