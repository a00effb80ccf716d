import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Agent } from '../../shared/ocf/agent.ts';
import { metadata } from '../../shared/ocf/metadata.ts';
import type { ParameterTable } from '../../shared/ocf/parameters.ts';
import { usage } from '../../shared/ocf/usage.ts';
import { ROOT } from '../support/paths.ts';
import { OCF_10_DTD, OCF_10_RNG, OCF_11_RNG, xmllint } from './ocf/xmllint.ts';

const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const names = readdirSync(join(ROOT, 'agents'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
const agents = await Promise.all(
  names.map(async (n) => [n, (await import(join(ROOT, 'agents', `${n}.ts`))).default as Agent<ParameterTable>] as const),
);

describe.each(agents)('every agent: %s', (name, agent) => {
  it('is named after its file', () => {
    expect(agent.name).toBe(name);
  });

  it("shows tsha's one version, package.json's, in its meta-data", () => {
    expect(metadata(agent, '1.1')).toContain(`<resource-agent name="${name}" version="${PACKAGE_VERSION}">`);
  });

  it('has OCF 1.0 meta-data valid against ra-api-1.dtd and metadata.rng', () => {
    const xml = metadata(agent, '1.0');
    expect(xmllint(['--dtdvalid', OCF_10_DTD], xml).ok).toBe(true);
    expect(xmllint(['--relaxng', OCF_10_RNG], xml).ok).toBe(true);
  });

  it('has OCF 1.1 meta-data valid against the OCF 1.1 schema', () => {
    expect(xmllint(['--relaxng', OCF_11_RNG], metadata(agent, '1.1')).ok).toBe(true);
  });

  it('lists every parameter in its usage', () => {
    const text = usage(agent, name);
    for (const p of Object.keys(agent.parameters)) expect(text).toMatch(new RegExp(`^  ${p} `, 'm'));
  });
});
