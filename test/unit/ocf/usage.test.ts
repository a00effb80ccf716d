import { describe, expect, it } from 'vitest';
import mysql from '../../../agents/mysql.ts';
import { defaultText } from '../../../shared/ocf/parameters.ts';
import { usage } from '../../../shared/ocf/usage.ts';
import { sampleAgent } from './sample-agent.ts';

describe('usage', () => {
  const text = usage(mysql, 'mysql');
  const lines = text.split('\n');

  it('starts with the program and every action, each once, then usage', () => {
    expect(lines[0]).toBe('usage: mysql {start|stop|monitor|promote|demote|notify|reload-agent|validate-all|meta-data|usage}');
  });

  it('says what the agent is', () => {
    expect(text).toContain(`mysql ${mysql.version}: ${mysql.shortdesc}`);
  });

  it.each(Object.entries(mysql.parameters))('lists the parameter %s with its description', (name, p) => {
    const line = lines.find((l) => l.trimStart().startsWith(`${name} `));
    expect(line).toBeDefined();
    expect(line).toContain(p.shortdesc);
    const def = defaultText(p);
    if (def) expect(line).toContain(`default ${def}`);
    else expect(line).not.toContain('default');
  });

  it('marks required, secret and select parameters', () => {
    const sample = usage(sampleAgent(), '/usr/lib/ocf/resource.d/tsha/sample');
    expect(sample).toMatch(/^ {2}name +Instance name \(string, required\)$/m);
    expect(sample).toMatch(/^ {2}password +Password \(string, secret\)$/m);
    expect(sample).toMatch(/^ {2}mode +Mode \(fast\|safe, default safe\)$/m);
    expect(sample).toMatch(/^ {2}wait +How long \(seconds, default 30\)$/m);
    expect(sample).toMatch(/^ {2}verbose +Talk more \(boolean, default false\)$/m);
  });

  it('aligns the parameter descriptions in one column', () => {
    const sample = usage(sampleAgent(), 'sample')
      .split('\n')
      .filter((l) => /^ {2}[a-z]/.test(l));
    const columns = new Set(sample.map((l) => l.search(/ {2}[A-Z]/)));
    expect(columns.size).toBe(1);
  });

  it('mentions the timeout and check-level variables and ends with a newline', () => {
    expect(text).toContain('OCF_RESKEY_CRM_meta_timeout');
    expect(text).toContain('OCF_CHECK_LEVEL=10');
    expect(text.endsWith('\n')).toBe(true);
  });
});
