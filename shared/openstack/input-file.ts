import { readFileSync } from 'node:fs';
import { NotInstalledError } from '../ocf/errors.ts';

/**
 * A file a parameter names (CA bundle, clouds.yaml, credentials file): its text, or 5 naming the
 * parameter's role, the path and why — the file is missing or unreadable on this node.
 */
export function readInputFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new NotInstalledError(`${what} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      cause: error,
    });
  }
}
