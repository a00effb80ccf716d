// Node built-ins that cost start-up time (child_process pulls in net, stream and dgram) are loaded only
// by the code paths that use them, not by every monitor.
import type * as ChildProcess from 'node:child_process';

export function childProcess(): typeof ChildProcess {
  return process.getBuiltinModule('node:child_process');
}
