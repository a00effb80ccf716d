/**
 * Reads the part of YAML that clouds.yaml and secure.yaml use: nested block mappings of scalars. A
 * sequence or flow collection is kept as its raw text (nothing the agent reads is a list); anchors,
 * tags and multi-document files are refused with the line number, rather than misread.
 */
export type YamlValue = string | YamlMapping;
export interface YamlMapping {
  readonly [key: string]: YamlValue;
}

function scalar(text: string, line: number): string {
  const t = text.trim();
  if (t.startsWith('"')) {
    const end = t.lastIndexOf('"');
    if (end <= 0) throw new SyntaxError(`line ${line}: unterminated double-quoted value`);
    return JSON.parse(t.slice(0, end + 1)) as string;
  }
  if (t.startsWith("'")) {
    const end = t.lastIndexOf("'");
    if (end <= 0) throw new SyntaxError(`line ${line}: unterminated single-quoted value`);
    return t.slice(1, end).replaceAll("''", "'");
  }
  if (/^[&*!|>]/.test(t)) throw new SyntaxError(`line ${line}: anchors, tags and block scalars are not supported`);
  // A comment starts at " #" in a plain scalar.
  const hash = t.search(/\s#/);
  return (hash < 0 ? t : t.slice(0, hash)).trim();
}

export function parseYamlMapping(text: string): YamlMapping {
  const root: Record<string, YamlValue> = {};
  // The open mappings, innermost last, each with the indentation of its keys.
  const stack: { indent: number; map: Record<string, YamlValue> }[] = [{ indent: -1, map: root }];
  let pending: { key: string; indent: number; parent: Record<string, YamlValue> } | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const n = i + 1;
    if (/^\s*(#.*)?$/.test(raw)) continue;
    if (/^(---|\.\.\.)\s*$/.test(raw)) {
      // A leading "---" is allowed; a second document is not.
      if (Object.keys(root).length === 0 && raw.startsWith('---')) continue;
      throw new SyntaxError(`line ${n}: several YAML documents in one file`);
    }
    if (raw.includes('\t') && /^\s*\t/.test(raw)) throw new SyntaxError(`line ${n}: tab indentation`);
    const indent = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (pending) {
      // The key before had no value: this deeper line opens its mapping (or a sequence, kept raw).
      if (indent > pending.indent) {
        if (body.startsWith('- ') || body === '-') {
          let rawText = body;
          while (
            i + 1 < lines.length &&
            (/^\s*(#.*)?$/.test(lines[i + 1]!) || lines[i + 1]!.length - lines[i + 1]!.trimStart().length > pending.indent)
          ) {
            i++;
            rawText += `\n${lines[i]!.trim()}`;
          }
          pending.parent[pending.key] = rawText;
          pending = undefined;
          continue;
        }
        const map: Record<string, YamlValue> = {};
        pending.parent[pending.key] = map;
        stack.push({ indent, map });
      } else {
        pending.parent[pending.key] = '';
      }
      pending = undefined;
    }
    while (stack.length > 1 && indent < stack[stack.length - 1]!.indent) stack.pop();
    const top = stack[stack.length - 1]!;
    if (top.indent === -1) top.indent = indent;
    if (indent !== top.indent) throw new SyntaxError(`line ${n}: unexpected indentation`);
    const m = /^("[^"]*"|'[^']*'|[^:#][^:]*?)\s*:(\s+(.*))?$/.exec(body);
    if (!m) throw new SyntaxError(`line ${n}: expected "key: value"`);
    const key = scalar(m[1]!, n);
    const value = m[3];
    if (value === undefined || value.trim() === '' || value.trim().startsWith('#')) {
      pending = { key, indent, parent: top.map };
    } else {
      top.map[key] = /^[[{]/.test(value.trim()) ? value.trim() : scalar(value, n);
    }
  }
  if (pending) pending.parent[pending.key] = '';
  return root;
}

/** The mapping at a path of keys, or undefined. */
export function mappingAt(root: YamlMapping, ...path: string[]): YamlMapping | undefined {
  let here: YamlValue | undefined = root;
  for (const key of path) {
    if (here === undefined || typeof here === 'string') return undefined;
    here = here[key];
  }
  return here !== undefined && typeof here !== 'string' ? here : undefined;
}
