import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceLayout, type InstanceLayout } from '../support/mariadb.ts';
import { BUILT } from '../support/paths.ts';
import { pacemakerEnv } from '../support/pacemaker-env.ts';
import { runAgent } from '../support/run-agent.ts';

/** Runs the agent on a pseudo-terminal, as a person debugging at a shell would. */
function inTerminal(action: string, env: Record<string, string>): string {
  const r = spawnSync('script', ['-qec', `${process.execPath} ${join(BUILT, 'mysql')} ${action}`, '/dev/null'], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return r.stdout.replace(/\r/g, '');
}

describe('running ocf:tsha:mysql by hand', () => {
  let layout: InstanceLayout;
  beforeAll(async () => {
    layout = await instanceLayout();
  });
  afterAll(() => layout.remove());

  it('in a terminal, monitor ends with a one-line verdict: code, OCF name, reason, elapsed ms', () => {
    const out = inTerminal('monitor', {
      PATH: '/usr/bin:/bin',
      ...Object.fromEntries(Object.entries(layout.params).map(([k, v]) => [`OCF_RESKEY_${k}`, v])),
    });
    expect(out.trim().split('\n').at(-1)).toMatch(/^monitor: 7 NOT_RUNNING - no pid file .* \(\d+ ms\)$/);
  });

  it('in a terminal, a failed validation shows the exit reason, the verdict and what Pacemaker would do', () => {
    const out = inTerminal('validate-all', { PATH: '/usr/bin:/bin', OCF_RESKEY_max_slave_lag: 'abc' });
    expect(out).toMatch(
      /^validate-all: 6 ERR_CONFIGURED - parameter max_slave_lag expects a number of seconds .*got "abc" \(\d+ ms\); Pacemaker would stop it on every node until the configuration is fixed$/m,
    );
  });

  it('off a terminal, output is only what Pacemaker reads: nothing on stdout for monitor, no verdict', async () => {
    const r = await runAgent('mysql', 'monitor', pacemakerEnv(layout.params));
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/^monitor: /m);
  });

  it('usage and --help list the actions and every parameter with its default', () => {
    for (const flag of ['usage', '--help']) {
      const r = spawnSync(process.execPath, [join(BUILT, 'mysql'), flag], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(
        /usage: mysql \{start\|stop\|monitor\|promote\|demote\|notify\|reload-agent\|validate-all\|meta-data\|usage\}/,
      );
      expect(r.stdout).toMatch(/datadir\s+MySQL data directory \(string, default \/var\/lib\/mysql\)/);
      expect(r.stdout).toMatch(/max_slave_lag\s+.*\(seconds, default 3600\)/);
    }
  });

  it('with HA_LOGFILE set, log lines carry a timestamp and the tag type(instance)[pid], as ocf_log writes them', async () => {
    const logFile = join(layout.dir, 'ha.log');
    const r = await runAgent(
      'mysql',
      'monitor',
      pacemakerEnv(layout.params, { HA_LOGFILE: logFile, OCF_RESKEY_CRM_meta_interval: '20000' }),
    );
    expect(r.exitCode).toBe(7);
    const line = readFileSync(logFile, 'utf8').trim().split('\n').at(-1)!;
    expect(line).toMatch(/^\d{4}\/\d{2}\/\d{2}_\d{2}:\d{2}:\d{2} mysql\(db\)\[\d+\]: {4}INFO: not running: no pid file/);
  });
});
