import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCF } from '../../shared/ocf/exit-codes.ts';
import { allProcesses, descendants, isLive, readProcess, type ProcessInfo } from '../../shared/process/proc.ts';
import { waitFor } from '../lab/lab.ts';
import { freePort } from '../support/mariadb.ts';
import { pacemakerEnv } from '../support/pacemaker-env.ts';
import { INSTALLED } from '../support/paths.ts';
import { runAgent } from '../support/run-agent.ts';
import { writeHttpStandIn } from '../support/standin-rpc-service.ts';
import { ocfTester } from '../support/ocf-tester.ts';

function tree(root: number): ProcessInfo[] {
  return descendants(root, allProcesses());
}

// glance-registry and nova-objectstore are in no packaged OpenStack release any more: they are tested
// against a stand-in that serves HTTP and forks a worker like the services did
// (test/support/standin-rpc-service.ts).
describe.each([
  ['glance-registry', 'registry'],
  ['nova-objectstore', 'objectstore'],
] as const)('ocf:tsha:%s (factory-built API service agent) against a stand-in HTTP service', (name, instance) => {
  let dir: string;
  let params: Record<string, string>;
  const recurring = { OCF_RESKEY_CRM_meta_interval: '10000' };
  const agent = (action: string, p: Record<string, string>, extra: Record<string, string> = {}) =>
    runAgent(
      name,
      action,
      pacemakerEnv(p, { OCF_RESOURCE_TYPE: name, OCF_RESOURCE_INSTANCE: instance, OCF_RESKEY_CRM_meta_timeout: '30000', ...extra }),
    );
  const pid = () => Number(readFileSync(params.pid!, 'utf8').trim());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsha-http-'));
    chmodSync(dir, 0o755);
    const port = await freePort();
    const conf = join(dir, `${name}.conf`);
    writeFileSync(conf, `[DEFAULT]\nbind_port = ${port}\n`);
    chmodSync(conf, 0o644);
    params = {
      binary: writeHttpStandIn(dir, name),
      config: conf,
      user: 'nobody',
      pid: join(dir, `${instance}.pid`),
      log: join(dir, `${instance}.log`),
      url: `http://127.0.0.1:${port}/`,
    };
  });
  afterAll(async () => {
    await agent('stop', params);
    rmSync(dir, { recursive: true, force: true });
  });

  it('start returns SUCCESS once the endpoint answers; monitor returns SUCCESS', async () => {
    expect((await agent('monitor', params)).exitCode).toBe(OCF.NOT_RUNNING);
    const r = await agent('start', params);
    expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
    expect((await agent('monitor', params, recurring)).exitCode).toBe(OCF.SUCCESS);
  });

  it('an endpoint that answers 5xx fails monitor (1) with the status in the reason', async () => {
    const stop = await agent('stop', params);
    expect(stop.exitCode).toBe(OCF.SUCCESS);
    expect((await agent('start', params)).exitCode).toBe(OCF.SUCCESS);
    process.kill(pid(), 'SIGUSR1');
    const r = await agent('monitor', params, recurring);
    expect(r.exitCode).toBe(OCF.ERR_GENERIC);
    expect(r.exitReason).toMatch(/answers http:\/\/127\.0\.0\.1:\d+\/ with HTTP 500/);
  });

  it('a wedged (SIGSTOPped) service fails monitor within the deadline, never NOT_RUNNING', async () => {
    const p = pid();
    process.kill(p, 'SIGSTOP');
    try {
      const r = await agent('monitor', params, { ...recurring, OCF_RESKEY_CRM_meta_timeout: '20000' });
      expect(r.exitCode).toBe(OCF.ERR_GENERIC);
    } finally {
      process.kill(p, 'SIGCONT');
    }
  });

  it('kill -9: a probe says NOT_RUNNING, a recurring monitor fails', async () => {
    const p = pid();
    process.kill(p, 'SIGKILL');
    await waitFor(`pid ${p} to die`, 10_000, async () => (isLive(readProcess(p)) ? undefined : true));
    expect((await agent('monitor', params)).exitCode).toBe(OCF.NOT_RUNNING);
    expect((await agent('monitor', params, recurring)).exitCode).toBe(OCF.ERR_GENERIC);
    expect((await agent('stop', params)).exitCode).toBe(OCF.SUCCESS);
    expect((await agent('start', params)).exitCode).toBe(OCF.SUCCESS);
  });

  it('ocf-tester reports "passed all tests" for the installed agent', async () => {
    await agent('stop', params);
    const { out } = await ocfTester(join(INSTALLED, name), instance, params);
    expect(out).toContain('passed all tests');
    expect((await agent('start', params)).exitCode).toBe(OCF.SUCCESS);
  });

  it('stop ends the whole process tree (the service and its worker)', async () => {
    const p = pid();
    const workers = tree(p);
    expect(workers.length).toBeGreaterThan(0);
    // No wait: stop returns only once it has seen every one of them gone (or a zombie).
    expect((await agent('stop', params)).exitCode).toBe(OCF.SUCCESS);
    for (const w of [readProcess(p), ...workers.map((x) => readProcess(x.pid))]) expect(isLive(w)).toBe(false);
    expect((await agent('monitor', params)).exitCode).toBe(OCF.NOT_RUNNING);
  });
});
