import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCF } from '../../shared/ocf/exit-codes.ts';
import { instanceLayout, type InstanceLayout } from '../support/mariadb.ts';
import { INSTALLED } from '../support/paths.ts';
import { ocfTester } from '../support/ocf-tester.ts';

const run = promisify(execFile);
const agent = join(INSTALLED, 'mysql');

async function tool(file: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(file, args, { timeout: 300_000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('the installed ocf:tsha:mysql with resource-agents and Pacemaker tools', () => {
  let layout: InstanceLayout;
  const options = (params: Record<string, string>) => Object.entries(params).flatMap(([k, v]) => ['--option', `${k}=${v}`]);

  beforeAll(async () => {
    if (!existsSync(agent)) throw new Error(`${agent} is not installed: run ./install.sh (test/run does)`);
    layout = await instanceLayout();
  });
  afterAll(() => layout.remove());

  it('ocf-tester reports "passed all tests"', async () => {
    const r = await ocfTester(agent, 'tsha_db', layout.params, { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    expect(r.out).toContain('passed all tests');
    expect(r.code).toBe(0);
  });

  it('crm_resource --validate returns 0 for a good configuration', async () => {
    const r = await tool('crm_resource', [
      '--validate',
      '--class',
      'ocf',
      '--provider',
      'tsha',
      '--agent',
      'mysql',
      ...options(layout.params),
    ]);
    expect(r.out).toMatch(/returned 0/);
    expect(r.code).toBe(0);
  });

  it.each([
    ['an inherently invalid value', { max_slave_lag: 'abc' }, OCF.ERR_CONFIGURED, /max_slave_lag expects a number of seconds/],
    ['a missing binary', { binary: '/nonexistent/mysqld' }, OCF.ERR_INSTALLED, /binary \/nonexistent\/mysqld/],
    ['an unknown user', { user: 'no_such_user_x' }, OCF.ERR_INSTALLED, /user no_such_user_x/],
  ] as const)('crm_resource --validate with %s reports code %i and the reason', async (_what, bad, code, reason) => {
    const r = await tool('crm_resource', [
      '--validate',
      '--class',
      'ocf',
      '--provider',
      'tsha',
      '--agent',
      'mysql',
      ...options({ ...layout.params, ...bad }),
    ]);
    expect(r.out).toMatch(new RegExp(`returned ${code} \\(`));
    expect(r.out).toMatch(reason);
  });

  it('meta-data runs as nobody, as ocf-tester requires', async () => {
    const r = await tool('su', ['nobody', '-s', '/bin/sh', '-c', `${agent} meta-data`]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('<resource-agent name="mysql"');
  });
});
