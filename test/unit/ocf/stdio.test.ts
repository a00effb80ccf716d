import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isatty } from 'node:tty';
import { afterEach, describe, expect, it } from 'vitest';
import { isTerminal, isTerminalDevice, linuxMajor } from '../../../shared/ocf/stdio.ts';
import { useTempDirs } from '../helpers.ts';

/** glibc's makedev: the minor's low 8 bits, the major's 12, the minor's next 12, the major's rest. */
const makedev = (major: number, minor: number) =>
  (minor & 0xff) + (major & 0xfff) * 0x100 + (minor & ~0xff & 0xfffff) * 0x1000 + (major & ~0xfff) * 0x1_0000_0000;

const tempDir = useTempDirs();
const opened: number[] = [];
afterEach(() => {
  for (const fd of opened.splice(0)) closeSync(fd);
});
const open = (path: string, flags: number) => {
  const fd = openSync(path, flags);
  opened.push(fd);
  return fd;
};

describe('isTerminal', () => {
  it('reads the major number of a Linux device number, small and large', () => {
    expect(linuxMajor(makedev(1, 3))).toBe(1); // /dev/null
    expect(linuxMajor(makedev(136, 3))).toBe(136); // /dev/pts/3
    expect(linuxMajor(makedev(136, 1000))).toBe(136);
    expect(linuxMajor(makedev(4, 64))).toBe(4); // /dev/ttyS0
    expect(linuxMajor(makedev(5000, 7))).toBe(5000);
  });

  it('counts consoles, serial lines, /dev/tty and pseudo-terminals as terminals, and nothing else', () => {
    for (const major of [4, 5, 136, 143]) expect(isTerminalDevice(major)).toBe(true);
    for (const major of [0, 1, 3, 10, 135, 144, 189, 254]) expect(isTerminalDevice(major)).toBe(false);
  });

  it('a file, /dev/null, /dev/zero and a closed descriptor are not terminals, as isatty says', () => {
    const file = join(tempDir(), 'f');
    writeFileSync(file, 'x');
    const fds = [open(file, constants.O_RDONLY), open('/dev/null', constants.O_RDONLY), open('/dev/zero', constants.O_RDONLY)];
    for (const fd of fds) {
      expect(isTerminal(fd)).toBe(false);
      expect(isatty(fd)).toBe(false);
    }
    expect(isTerminal(987_654)).toBe(false);
  });

  it('a pseudo-terminal is a terminal, as isatty says', () => {
    // The multiplexer's side of a new pseudo-terminal (the person's side is tested on the bundled agent
    // under script(1), test/integration/by-hand.test.ts).
    const fd = open('/dev/ptmx', constants.O_RDWR | constants.O_NOCTTY);
    expect(isatty(fd)).toBe(true);
    expect(isTerminal(fd)).toBe(true);
  });
});
