import { readFileSync } from 'node:fs';

/** Cuts a # comment that starts outside quotes, as the MySQL option file reader does (remove_end_comment). */
function withoutEndComment(line: string): string {
  let quote: string | undefined;
  let escaped = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if ((c === '"' || c === "'") && !escaped) {
      if (quote === undefined) quote = c;
      else if (quote === c) quote = undefined;
    }
    if (quote === undefined && c === '#') return line.slice(0, i);
    escaped = quote !== undefined && c === '\\' && !escaped;
  }
  return line;
}

/**
 * Reads a MySQL option file (the my.cnf format: [group] then key = value). Lets passwords live in a
 * root-only file instead of the CIB, where every node's cib.xml and `crm configure show` would show them.
 */
export function readOptionFile(path: string): Map<string, Map<string, string>> {
  const groups = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = withoutEndComment(raw).trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const group = /^\[([^\]]+)\]$/.exec(line);
    if (group) {
      current = new Map();
      groups.set(group[1]!.trim().toLowerCase(), current);
      continue;
    }
    if (!current) continue;
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim().toLowerCase().replaceAll('-', '_');
    let value = eq < 0 ? '' : line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1);
    current.set(key, value);
  }
  return groups;
}

/** user/password from the first group that has them, in the order given. */
export function credentialsFrom(groups: Map<string, Map<string, string>>, order: readonly string[]): { user?: string; password?: string } {
  const out: { user?: string; password?: string } = {};
  for (const name of order) {
    const g = groups.get(name);
    if (!g) continue;
    if (out.user === undefined && g.has('user')) out.user = g.get('user')!;
    if (out.password === undefined && g.has('password')) out.password = g.get('password')!;
  }
  return out;
}
