import { readFileSync } from 'node:fs';

/** An oslo.config INI file's values: section → key → value (the first setting of a key in the file). */
export type IniSections = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function parseIni(text: string): IniSections {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = header[1]!.trim();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    const key = line.slice(0, eq).trim();
    if (current && eq > 0 && !current.has(key)) current.set(key, line.slice(eq + 1).trim());
  }
  return sections;
}

/** Looks a value up as oslo.config does across several files: the last file that sets it wins. */
export type ConfigLookup = (section: string, key: string) => string | undefined;

/** Reads each file once; unreadable files count as unset (start or validate-all says why). */
export function readConfig(files: readonly string[]): ConfigLookup {
  const parsed: IniSections[] = [];
  for (const file of files) {
    try {
      parsed.push(parseIni(readFileSync(file, 'utf8')));
    } catch {
      // unreadable: a lookup just finds nothing there
    }
  }
  return (section, key) => {
    for (let i = parsed.length - 1; i >= 0; i--) {
      const value = parsed[i]!.get(section)?.get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

/** A single value across several files (see readConfig). */
export function configValue(files: readonly string[], section: string, key: string): string | undefined {
  return readConfig(files)(section, key);
}
