import { DEFAULT_VALIDATE_TIMEOUT, type ActionDeclaration, type ActionName, type AdvertisedOperation, type Agent } from './agent.ts';
import { defaultText, type ParameterDeclaration, type ParameterTable } from './parameters.ts';
import { attributes, escapeXml } from './xml.ts';

export type MetadataDialect = '1.0' | '1.1';

/** Actions the 1.0 DTD (resource-agents' ra-api-1.dtd) knows; others are left out of 1.0 meta-data. */
const DTD_ACTIONS = new Set([
  'start',
  'stop',
  'recover',
  'monitor',
  'restart',
  'migrate_to',
  'migrate_from',
  'promote',
  'demote',
  'notify',
  'status',
  'reload',
  'meta-data',
  'usage',
  'methods',
  'validate-all',
]);

interface OperationRow extends AdvertisedOperation {
  readonly name: string;
}

/** Every operation meta-data advertises, in a stable order. */
export function operations<P extends ParameterTable>(agent: Agent<P>): OperationRow[] {
  const rows: OperationRow[] = [];
  for (const [name, a] of Object.entries(agent.actions) as [ActionName, ActionDeclaration<P> | undefined][]) {
    if (!a) continue;
    const first: AdvertisedOperation = {
      timeout: a.timeout,
      ...(a.interval !== undefined ? { interval: a.interval } : {}),
      ...(a.depth !== undefined ? { depth: a.depth } : {}),
    };
    for (const op of [first, ...(a.also ?? [])]) rows.push({ name, ...op });
  }
  rows.push({ name: 'validate-all', timeout: agent.validateTimeout ?? DEFAULT_VALIDATE_TIMEOUT });
  rows.push({ name: 'meta-data', timeout: agent.metadataTimeout ?? 5 });
  return rows;
}

function contentType(p: ParameterDeclaration, dialect: MetadataDialect): string {
  switch (p.type) {
    case 'seconds':
      // 1.0 DTD says "time", resource-agents' rng says "second": integer satisfies both and Pacemaker.
      return 'integer';
    case 'select':
      return dialect === '1.1' ? 'select' : 'string';
    default:
      return p.type;
  }
}

function parameterXml(name: string, p: ParameterDeclaration, dialect: MetadataDialect): string {
  let longdesc = p.longdesc;
  if (p.type === 'select' && dialect === '1.0') longdesc += ` Allowed values: ${(p.options ?? []).join(', ')}.`;
  if (p.type === 'seconds') longdesc += ' In seconds; units s, min, h are accepted.';
  if (p.aliases?.length) longdesc += ` Also accepted as: ${p.aliases.join(', ')}.`;
  const attrs = attributes({
    name,
    unique: p.unique ? 1 : 0,
    required: p.required ? 1 : 0,
    reloadable: dialect === '1.1' && p.reloadable ? 1 : undefined,
  });
  const def = defaultText(p);
  const content = attributes({ type: contentType(p, dialect), default: def === '' ? undefined : def });
  const options =
    dialect === '1.1' && p.type === 'select'
      ? `\n${(p.options ?? []).map((o) => `      <option${attributes({ value: o })}/>`).join('\n')}\n    </content>`
      : undefined;
  return [
    `  <parameter${attrs}>`,
    `    <longdesc lang="en">${escapeXml(longdesc)}</longdesc>`,
    `    <shortdesc lang="en">${escapeXml(p.shortdesc)}</shortdesc>`,
    options ? `    <content${content}>${options}` : `    <content${content}/>`,
    '  </parameter>',
  ].join('\n');
}

/**
 * Meta-data in the caller's OCF version. 1.1 (Pacemaker ≥ 2.1) gets reloadable, select and
 * reload-agent; 1.0 callers (ocf-tester, ocft) get XML valid against ra-api-1.dtd and metadata.rng.
 */
export function metadata<P extends ParameterTable>(agent: Agent<P>, dialect: MetadataDialect): string {
  const params = Object.entries(agent.parameters).map(([n, p]) => parameterXml(n, p, dialect));
  const ops = operations(agent)
    .filter((op) => dialect === '1.1' || DTD_ACTIONS.has(op.name))
    .map(
      (op) =>
        `  <action${attributes({
          name: op.name,
          timeout: `${op.timeout}s`,
          interval: op.interval !== undefined ? `${op.interval}s` : undefined,
          depth: op.depth,
          role: op.role,
        })}/>`,
    );
  return [
    '<?xml version="1.0"?>',
    ...(dialect === '1.0' ? ['<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">'] : []),
    `<resource-agent${attributes({ name: agent.name, version: agent.version })}>`,
    `<version>${dialect}</version>`,
    `<longdesc lang="en">${escapeXml(agent.longdesc)}</longdesc>`,
    `<shortdesc lang="en">${escapeXml(agent.shortdesc)}</shortdesc>`,
    '<parameters>',
    ...params,
    '</parameters>',
    '<actions>',
    ...ops,
    '</actions>',
    '</resource-agent>',
    '',
  ].join('\n');
}
