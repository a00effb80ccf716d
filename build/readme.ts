// Generates the README's parameter tables from the agent declarations, and its control-plane
// configurations, in crm and in pcs, from the lab's own (build/control-plane.ts).
//   node build/readme.ts          rewrite the generated sections of README.md
//   node build/readme.ts --check  exit 1 if README.md is out of date
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Agent } from '../shared/ocf/agent.ts';
import { defaultText, type ParameterTable } from '../shared/ocf/parameters.ts';
import { controlPlaneChange, controlPlaneReadme } from './control-plane.ts';

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

/** `text` with what lies between `<!-- kind:name -->` and `<!-- /kind:name -->` replaced by `body`. */
function replaceSection(text: string, kind: string, name: string, body: string): string {
  const start = `<!-- ${kind}:${name} -->`;
  const at = text.indexOf(start);
  const end = text.indexOf(`<!-- /${kind}:${name} -->`);
  if (at < 0 || end < 0) return text;
  return `${text.slice(0, at + start.length)}\n${body}\n${text.slice(end)}`;
}

/** The control plane of each layout in crm (a file for `crm configure load update`) and in pcs. */
export function controlPlaneSections(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const layout of ['seed', 'active-active'] as const) {
    const { crm, pcs } = controlPlaneReadme(layout);
    const file = `${layout}.crm`;
    out[`${layout}:crm`] = ['```sh', `cat >${file} <<'EOF'`, crm, 'EOF', `crm configure load update ${file}`, '```'].join('\n');
    out[`${layout}:pcs`] = ['```sh', pcs, '```'].join('\n');
  }
  // The seed's groups with the tuned orders: the change to a running seed cluster.
  const change = controlPlaneChange('seed', 'seed-tuned');
  out['seed-tuned:crm'] = ['```sh', change.crm, '```'].join('\n');
  out['seed-tuned:pcs'] = ['```sh', change.pcs, '```'].join('\n');
  return out;
}

export async function renderReadme(text: string): Promise<string> {
  let out = text;
  for (const file of readdirSync(join(root, 'agents')).filter((f) => f.endsWith('.ts'))) {
    const name = file.slice(0, -3);
    const agent = (await import(join(root, 'agents', file))).default as Agent<ParameterTable>;
    out = replaceSection(out, 'parameters', name, parameterTable(agent));
  }
  for (const [name, body] of Object.entries(controlPlaneSections())) out = replaceSection(out, 'control-plane', name, body);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = join(root, 'README.md');
  const current = readFileSync(path, 'utf8');
  const wanted = await renderReadme(current);
  if (process.argv.includes('--check')) {
    if (wanted !== current) {
      console.error('README.md generated sections are out of date: run node build/readme.ts');
      process.exit(1);
    }
  } else if (wanted !== current) {
    writeFileSync(path, wanted);
    console.log('README.md generated sections updated');
  }
}
