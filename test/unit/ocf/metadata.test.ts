import { describe, expect, it } from 'vitest';
import mysql from '../../../agents/mysql.ts';
import { defineAgent } from '../../../shared/ocf/agent.ts';
import { OCF } from '../../../shared/ocf/exit-codes.ts';
import { metadata, operations } from '../../../shared/ocf/metadata.ts';
import { boolean, select, string } from '../../../shared/ocf/parameters.ts';
import { sampleAgent } from './sample-agent.ts';
import { OCF_10_DTD, OCF_10_RNG, OCF_11_RNG, attributeValues, xmllint, xpath } from './xmllint.ts';

const mysql10 = metadata(mysql, '1.0');
const mysql11 = metadata(mysql, '1.1');
const sample10 = metadata(sampleAgent(), '1.0');
const sample11 = metadata(sampleAgent(), '1.1');

function expectValid(args: string[], document: string): void {
  const lint = xmllint(['--noout', ...args], document);
  expect(lint.stderr.split('\n').filter((l) => /error/i.test(l))).toEqual([]);
  expect(lint.ok).toBe(true);
}

describe('OCF 1.0 meta-data (ocf-tester, ocft)', () => {
  it.each([
    ['mysql', mysql10],
    ['a sample agent with a select parameter', sample10],
  ])('for %s validates against resource-agents ra-api-1.dtd', (_, xml) => {
    expectValid(['--dtdvalid', OCF_10_DTD], xml);
  });

  it.each([
    ['mysql', mysql10],
    ['a sample agent with a select parameter', sample10],
  ])('for %s validates against resource-agents metadata.rng', (_, xml) => {
    expectValid(['--relaxng', OCF_10_RNG], xml);
  });

  it('has the DOCTYPE and says version 1.0', () => {
    expect(mysql10).toMatch(/^<\?xml version="1.0"\?>\n<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">\n<resource-agent /);
    expect(xpath(mysql10, 'string(/resource-agent/version)')).toBe('1.0');
  });

  it('has no reloadable attribute, no reload-agent action, no select type and no options', () => {
    for (const xml of [mysql10, sample10]) {
      expect(xml).not.toContain('reloadable');
      expect(xml).not.toContain('reload-agent');
      expect(xml).not.toContain('type="select"');
      expect(xml).not.toContain('<option');
    }
  });

  it('turns a select parameter into a string listing its allowed values', () => {
    expect(xpath(sample10, 'string(//parameter[@name="mode"]/content/@type)')).toBe('string');
    expect(xpath(sample10, 'string(//parameter[@name="mode"]/longdesc)')).toBe('How to go. Allowed values: fast, safe.');
  });

  it('still lists the actions the DTD knows', () => {
    expect(attributeValues(mysql10, '//action/@name')).toEqual([
      'start',
      'stop',
      'monitor',
      'monitor',
      'monitor',
      'monitor',
      'promote',
      'demote',
      'notify',
      'validate-all',
      'meta-data',
    ]);
  });
});

describe('OCF 1.1 meta-data (Pacemaker ≥ 2.1)', () => {
  it.each([
    ['mysql', mysql11],
    ['a sample agent', sample11],
  ])('for %s validates against the OCF 1.1 schema', (_, xml) => {
    expectValid(['--relaxng', OCF_11_RNG], xml);
  });

  it('has no DOCTYPE and says version 1.1', () => {
    expect(mysql11).not.toContain('DOCTYPE');
    expect(mysql11).toContain('<version>1.1</version>');
    expect(xpath(mysql11, 'string(/resource-agent/version)')).toBe('1.1');
  });

  it('names the agent and its version', () => {
    expect(xpath(mysql11, 'string(/resource-agent/@name)')).toBe('mysql');
    expect(xpath(mysql11, 'string(/resource-agent/@version)')).toBe(mysql.version);
  });

  it('marks exactly the reloadable parameters reloadable="1"', () => {
    const reloadable = Object.entries(mysql.parameters)
      .filter(([, p]) => p.reloadable)
      .map(([n]) => n);
    expect(reloadable.length).toBeGreaterThan(0);
    expect(attributeValues(mysql11, '//parameter[@reloadable="1"]/@name')).toEqual(reloadable);
    expect(attributeValues(mysql11, '//parameter[@reloadable and @reloadable!="1"]/@name')).toEqual([]);
  });

  it('advertises reload-agent', () => {
    expect(mysql11).toContain('<action name="reload-agent" timeout="20s"/>');
  });

  it('lists every parameter once, in declaration order', () => {
    expect(attributeValues(mysql11, '//parameter/@name')).toEqual(Object.keys(mysql.parameters));
  });

  it('advertises both monitor depths with their own intervals and timeouts', () => {
    expect(mysql11).toContain('<action name="monitor" timeout="20s" interval="20s" depth="0"/>');
    expect(mysql11).toContain('<action name="monitor" timeout="30s" interval="60s" depth="10"/>');
  });

  it("lists a select parameter's options", () => {
    expect(xpath(sample11, 'string(//parameter[@name="mode"]/content/@type)')).toBe('select');
    expect(attributeValues(sample11, '//parameter[@name="mode"]/content/option/@value')).toEqual(['fast', 'safe']);
  });

  it('the schema is not vacuous: an action without a timeout fails it', () => {
    const broken = mysql11.replace('<action name="start" timeout="120s"/>', '<action name="start"/>');
    expect(xmllint(['--noout', '--relaxng', OCF_11_RNG], broken).ok).toBe(false);
  });

  it('the schema is not vacuous: 1.0 meta-data fails it', () => {
    expect(xmllint(['--noout', '--relaxng', OCF_11_RNG], mysql10).ok).toBe(false);
  });

  it('is why 1.0 callers get their own dialect: resource-agents metadata.rng refuses reloadable', () => {
    expect(xmllint(['--noout', '--relaxng', OCF_10_RNG], mysql11).ok).toBe(false);
  });
});

describe('parameter rendering', () => {
  it.each(['1.0', '1.1'] as const)('%s: unique and required are always 0 or 1', (dialect) => {
    const xml = metadata(sampleAgent(), dialect);
    expect(xpath(xml, 'string(//parameter[@name="name"]/@unique)')).toBe('1');
    expect(xpath(xml, 'string(//parameter[@name="name"]/@required)')).toBe('1');
    expect(xpath(xml, 'string(//parameter[@name="count"]/@unique)')).toBe('0');
    expect(xpath(xml, 'string(//parameter[@name="count"]/@required)')).toBe('0');
  });

  it('a seconds parameter is an integer and says which units it takes', () => {
    expect(xpath(mysql11, 'string(//parameter[@name="max_slave_lag"]/content/@type)')).toBe('integer');
    expect(xpath(mysql11, 'string(//parameter[@name="max_slave_lag"]/content/@default)')).toBe('3600');
    expect(xpath(mysql11, 'string(//parameter[@name="max_slave_lag"]/longdesc)')).toContain('In seconds; units s, min, h are accepted.');
  });

  it('a boolean default reads true or false', () => {
    expect(xpath(mysql11, 'string(//parameter[@name="enable_creation"]/content/@default)')).toBe('false');
    expect(xpath(mysql11, 'string(//parameter[@name="enable_creation"]/content/@type)')).toBe('boolean');
  });

  it('an empty default is left out', () => {
    expect(xpath(mysql11, 'count(//parameter[@name="test_passwd"]/content/@default)')).toBe('0');
  });

  it('a parameter without a default has no default attribute', () => {
    expect(xpath(sample11, 'count(//parameter[@name="name"]/content/@default)')).toBe('0');
  });

  it('aliases are named in the long description', () => {
    expect(xpath(sample11, 'string(//parameter[@name="probe_table"]/longdesc)')).toBe(
      'Read by monitor only. Also accepted as: probetable.',
    );
  });

  it('validate-all and meta-data are always advertised', () => {
    const ops = operations(sampleAgent());
    expect(ops.slice(-2)).toEqual([
      { name: 'validate-all', timeout: 20 },
      { name: 'meta-data', timeout: 5 },
    ]);
  });
});

describe('text that needs escaping', () => {
  const tricky = 'Use <b> & "quotes" \'too\' > less';
  const agent = defineAgent({
    name: 'tricky',
    version: '1.0.0<&>',
    shortdesc: `short ${tricky}`,
    longdesc: `long ${tricky}`,
    parameters: {
      path: string({ shortdesc: `p ${tricky}`, longdesc: `l ${tricky}`, default: '/a&b/<c>/"d"' }),
      flag: boolean({ shortdesc: '&', longdesc: '<>', default: true }),
      choice: select(['a&b', '<c>', '"d"'], { shortdesc: "'", longdesc: '"', default: '<c>' }),
    },
    validate: async () => undefined,
    actions: {
      start: { timeout: 10, run: async () => OCF.SUCCESS },
      stop: { timeout: 10, run: async () => OCF.SUCCESS },
      monitor: { timeout: 10, run: async () => OCF.SUCCESS },
    },
  });

  it.each(['1.0', '1.1'] as const)('%s: the XML is well-formed and the text survives parsing intact', (dialect) => {
    const xml = metadata(agent, dialect);
    expect(xmllint(['--noout'], xml).ok).toBe(true);
    expect(xpath(xml, 'string(/resource-agent/@version)')).toBe('1.0.0<&>');
    expect(xpath(xml, 'string(/resource-agent/shortdesc)')).toBe(`short ${tricky}`);
    expect(xpath(xml, 'string(/resource-agent/longdesc)')).toBe(`long ${tricky}`);
    expect(xpath(xml, 'string(//parameter[@name="path"]/shortdesc)')).toBe(`p ${tricky}`);
    expect(xpath(xml, 'string(//parameter[@name="path"]/longdesc)')).toBe(`l ${tricky}`);
    expect(xpath(xml, 'string(//parameter[@name="path"]/content/@default)')).toBe('/a&b/<c>/"d"');
    expect(xpath(xml, 'string(//parameter[@name="choice"]/content/@default)')).toBe('<c>');
  });

  it('1.1: select options with markup characters survive parsing', () => {
    const xml = metadata(agent, '1.1');
    expectValid(['--relaxng', OCF_11_RNG], xml);
    expect(xpath(xml, 'string(//parameter[@name="choice"]/content/option[1]/@value)')).toBe('a&b');
    expect(xpath(xml, 'string(//parameter[@name="choice"]/content/option[2]/@value)')).toBe('<c>');
    expect(xpath(xml, 'string(//parameter[@name="choice"]/content/option[3]/@value)')).toBe('"d"');
  });

  it('1.0: it is still valid against the DTD', () => {
    expectValid(['--dtdvalid', OCF_10_DTD], metadata(agent, '1.0'));
  });
});
