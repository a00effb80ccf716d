/**
 * Small files only the agent's own user may read (a secret kept between runs, such as a Keystone
 * token): the folder 0700, the file 0600, written whole or not at all (a temporary file renamed over
 * the old one), and read only when it is still private, so a file another user could have written or
 * read is never trusted.
 */
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** A regular file of this user that nobody else may read or write. */
function isPrivate(stat: { mode: number; uid: number; isFile(): boolean }): boolean {
  return stat.isFile() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
}

/**
 * The file's text, or undefined when it is absent, unreadable, a symbolic link, not this user's or
 * readable or writable by anyone else: a cache that cannot be trusted is no cache.
 */
export function readPrivateFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    return isPrivate(fstatSync(fd)) ? readFileSync(fd, 'utf8') : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Creates `dir` (0700) or makes an existing one of this user 0700; throws if it is anybody else's or no folder. */
function privateFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || stat.uid !== process.getuid?.()) throw new Error(`${dir} is not a folder of this user`);
  if ((stat.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
}

/**
 * Writes `text` to `path` as a 0600 file in a 0700 folder (created as needed): a temporary file of
 * this process, then a rename, so a reader sees the old file or the new one, never half of one.
 * Throws on failure, with nothing left behind.
 */
export function writePrivateFile(path: string, text: string): void {
  privateFolder(dirname(path));
  const temporary = `${path}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Removes the file if it is there; a failure is not an error (the next reader will not trust it either). */
export function removePrivateFile(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // nothing to do: a file we cannot remove is one we will replace or ignore
  }
}
