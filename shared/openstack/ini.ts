import { readFileSync } from 'node:fs';

/** One value from an oslo.config INI file ([section] key = value), or undefined. */
export function iniValue(path: string, section: string, key: string): string | undefined {
  let current = '';
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = header[1]!.trim();
      continue;
    }
    const eq = line.indexOf('=');
    if (current === section && eq > 0 && line.slice(0, eq).trim() === key) return line.slice(eq + 1).trim();
  }
  return undefined;
}

/** A value as oslo.config sees it across several files: the last file that sets it wins. Unreadable files count as unset. */
export function configValue(files: readonly string[], section: string, key: string): string | undefined {
  let found: string | undefined;
  for (const file of files) {
    try {
      found = iniValue(file, section, key) ?? found;
    } catch {
      // unreadable: the start or validate-all says so; a lookup just finds nothing there
    }
  }
  return found;
}
