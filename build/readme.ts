// Generates the README's parameter tables from the agent declarations.
//   node build/readme.ts          rewrite the tables in README.md
//   node build/readme.ts --check  exit 1 if README.md is out of date
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Agent } from '../shared/ocf/agent.ts';
import { defaultText, type ParameterTable } from '../shared/ocf/parameters.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

export function parameterTable<P extends ParameterTable>(agent: Agent<P>): string {
  const rows = ['| parameter | type | default | description |', '| --- | --- | --- | --- |'];
  for (const [name, p] of Object.entries(agent.parameters)) {
    const type = p.type === 'select' ? (p.options ?? []).join(' \\| ') : p.type;
    const def = defaultText(p);
    const notes = [
      p.required ? 'required' : '',
      p.unique ? 'unique' : '',
      p.reloadable ? 'reloadable' : '',
      p.secret ? 'secret' : '',
    ].filter(Boolean);
    const flags = notes.length > 0 ? ` (${notes.join(', ')})` : '';
    rows.push(`| \`${name}\` | ${type} | ${def ? `\`${cell(def)}\`` : ''} | ${cell(p.longdesc)}${flags} |`);
  }
  return rows.join('\n');
}

const START = (name: string) => `<!-- parameters:${name} -->`;
const END = (name: string) => `<!-- /parameters:${name} -->`;

export async function renderReadme(text: string): Promise<string> {
  let out = text;
  for (const file of readdirSync(join(root, 'agents')).filter((f) => f.endsWith('.ts'))) {
    const name = file.slice(0, -3);
    const agent = (await import(join(root, 'agents', file))).default as Agent<ParameterTable>;
    const start = out.indexOf(START(name));
    const end = out.indexOf(END(name));
    if (start < 0 || end < 0) continue;
    out = `${out.slice(0, start + START(name).length)}\n${parameterTable(agent)}\n${out.slice(end)}`;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = join(root, 'README.md');
  const current = readFileSync(path, 'utf8');
  const wanted = await renderReadme(current);
  if (process.argv.includes('--check')) {
    if (wanted !== current) {
      console.error('README.md parameter tables are out of date: run node build/readme.ts');
      process.exit(1);
    }
  } else if (wanted !== current) {
    writeFileSync(path, wanted);
    console.log('README.md parameter tables updated');
  }
}
