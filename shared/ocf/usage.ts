import type { Agent } from './agent.ts';
import { operations } from './metadata.ts';
import { defaultText, type ParameterTable } from './parameters.ts';

/** The text `usage` and `--help` print: actions with timeouts, parameters with types and defaults. */
export function usage<P extends ParameterTable>(agent: Agent<P>, program: string): string {
  const actions = [...new Set(operations(agent).map((op) => op.name)), 'usage'];
  const lines = [
    `usage: ${program} {${actions.join('|')}}`,
    '',
    `${agent.name} ${agent.version}: ${agent.shortdesc}`,
    '',
    'Parameters (set as OCF_RESKEY_<name> in the environment):',
  ];
  const width = Math.max(...Object.keys(agent.parameters).map((n) => n.length));
  for (const [name, p] of Object.entries(agent.parameters)) {
    const def = defaultText(p);
    const flags = [p.type === 'select' ? (p.options ?? []).join('|') : p.type];
    if (p.required) flags.push('required');
    if (def !== undefined && def !== '') flags.push(`default ${def}`);
    if (p.secret) flags.push('secret');
    lines.push(`  ${name.padEnd(width)}  ${p.shortdesc} (${flags.join(', ')})`);
  }
  lines.push('', 'Environment: OCF_RESKEY_CRM_meta_timeout (ms) bounds every action; OCF_CHECK_LEVEL=10 deepens monitor.');
  return lines.join('\n') + '\n';
}
