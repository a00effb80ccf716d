// Node built-ins that cost start-up time are loaded only by the code paths that use them, not by every
// action: child_process pulls in net, stream and dgram; net (~2.5 ms here) is needed by checks, never by
// meta-data. node:tty is not loaded at all (stdio.ts reads a terminal from its device number).
import type * as ChildProcess from 'node:child_process';
import type * as Net from 'node:net';

export function childProcess(): typeof ChildProcess {
  return process.getBuiltinModule('node:child_process');
}

export function net(): typeof Net {
  return process.getBuiltinModule('node:net');
}
