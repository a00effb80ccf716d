// Node built-ins that cost start-up time are loaded only by the code paths that use them, not by every
// action: child_process pulls in net, stream and dgram; net (~2.5 ms here) and tty, which loads net,
// are needed by checks and by a person at a terminal, never by meta-data.
import type * as ChildProcess from 'node:child_process';
import type * as Net from 'node:net';
import type * as Tty from 'node:tty';

export function childProcess(): typeof ChildProcess {
  return process.getBuiltinModule('node:child_process');
}

export function net(): typeof Net {
  return process.getBuiltinModule('node:net');
}

export function tty(): typeof Tty {
  return process.getBuiltinModule('node:tty');
}
