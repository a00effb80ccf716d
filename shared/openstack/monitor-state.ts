/**
 * What a service's monitor keeps between runs (the broker that last answered a queue, since when a
 * consumer or a backend has been missing): one root-only file per record in the agents' state
 * directory, written whole (private-file.ts). Best effort: a monitor never fails for want of its record.
 */
import { join } from 'node:path';
import { readPrivateFile, removePrivateFile, writePrivateFile } from '../process/private-file.ts';

export type MonitorStateFile = ReturnType<typeof monitorStateFile>;

/** The record `key` in `folder` of the state directory (the key made safe as a file name). */
export function monitorStateFile(stateDir: string, folder: string, key: string) {
  const file = join(stateDir, folder, key.replace(/[^A-Za-z0-9_.-]/g, '_'));
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

/** An RPC monitor's record of one kind about one queue (`<topic>.<host>`). */
export function queueStateFile(stateDir: string, kind: string, queue: string): MonitorStateFile {
  return monitorStateFile(stateDir, `tsha-rpc-${kind}`, queue);
}
