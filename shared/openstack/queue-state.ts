/**
 * What an RPC monitor keeps about one queue between runs (the broker that last answered, when its
 * consumer went missing): one root-only file per queue and kind in the agents' state directory,
 * written whole (private-file.ts). Best effort: a monitor never fails for want of its record.
 */
import { join } from 'node:path';
import { readPrivateFile, removePrivateFile, writePrivateFile } from '../process/private-file.ts';

export function queueStateFile(stateDir: string, kind: string, queue: string) {
  const file = join(stateDir, `tsha-rpc-${kind}`, queue.replace(/[^A-Za-z0-9_.-]/g, '_'));
  return {
    read(): string | undefined {
      return readPrivateFile(file)?.trim() || undefined;
    },
    /** False when it could not be written. */
    write(text: string): boolean {
      try {
        writePrivateFile(file, text);
        return true;
      } catch {
        return false;
      }
    },
    clear(): void {
      removePrivateFile(file);
    },
  };
}
