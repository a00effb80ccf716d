import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCF } from '../../shared/ocf/exit-codes.ts';
import { epmdNames } from '../../shared/rabbitmq/epmd.ts';
import { allProcesses, isLive, readProcess } from '../../shared/process/proc.ts';
import { pacemakerEnv } from '../support/pacemaker-env.ts';
import { INSTALLED } from '../support/paths.ts';
import { freePort } from '../support/mariadb.ts';
import { brokerLayout, type BrokerLayout } from '../support/rabbitmq.ts';
import { runAgent } from '../support/run-agent.ts';
import { ocfTester } from '../support/ocf-tester.ts';

const rabbitmq = (action: string, params: Record<string, string>, extra: Record<string, string> = {}) =>
  runAgent('rabbitmq', action, pacemakerEnv(params, { OCF_RESOURCE_TYPE: 'rabbitmq', OCF_RESKEY_CRM_meta_timeout: '120000', ...extra }));
const recurring = { OCF_RESKEY_CRM_meta_interval: '20000' };
const depth10 = { ...recurring, OCF_CHECK_LEVEL: '10' };

function brokerPid(layout: BrokerLayout): number {
  return Number(readFileSync(layout.params.pid_file!, 'utf8').trim());
}

/** A RabbitMQ CLI call on the private broker, as an operator would make it (the cookie in its HOME). */
async function rabbitCli(params: Record<string, string>, tool: string, args: string[]): Promise<{ code: number; out: string }> {
  const env = { ...process.env, HOME: join(params.mnesia_base!, '.tsha-home'), ERL_EPMD_PORT: params.epmd_port! };
  return promisify(execFile)(`/usr/lib/rabbitmq/bin/${tool}`, ['-q', '-n', params.nodename!, ...args], { env, timeout: 60_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: `${e.stdout}${e.stderr}` }),
  );
}
const upgrade = (params: Record<string, string>, command: string) => rabbitCli(params, 'rabbitmq-upgrade', [command]);
async function underMaintenance(params: Record<string, string>): Promise<boolean> {
  const r = await rabbitCli(params, 'rabbitmq-diagnostics', ['status', '--formatter', 'json']);
  return (JSON.parse(r.out) as { is_under_maintenance: boolean }).is_under_maintenance;
}

describe('ocf:tsha:rabbitmq against RabbitMQ from Debian', () => {
  let layout: BrokerLayout;
  beforeAll(async () => {
    layout = await brokerLayout();
  });
  afterAll(() => layout.remove());

  it('a probe on a stopped broker returns NOT_RUNNING, and stop on it returns SUCCESS', async () => {
    expect((await rabbitmq('monitor', layout.params)).exitCode).toBe(OCF.NOT_RUNNING);
    expect((await rabbitmq('stop', layout.params)).exitCode).toBe(OCF.SUCCESS);
  });

  it('start returns SUCCESS once the broker answers AMQP, and again when it already runs', async () => {
    const r = await rabbitmq('start', layout.params);
    expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
    expect((await rabbitmq('start', layout.params)).exitCode).toBe(OCF.SUCCESS);
  });

  it("the broker's epmd lists its Erlang name (what a clone start asks of the peers it boots with), and a closed port answers undefined", async () => {
    const name = layout.params.nodename!.split('@')[0];
    expect(await epmdNames('127.0.0.1', Number(layout.params.epmd_port), 2000)).toContain(name);
    expect(await epmdNames('127.0.0.1', await freePort(), 2000)).toBeUndefined();
  });

  it('monitor at depth 0 (AMQP greeting) and depth 10 (a message through a private queue) return SUCCESS', async () => {
    expect((await rabbitmq('monitor', layout.params, recurring)).exitCode).toBe(OCF.SUCCESS);
    const deep = await rabbitmq('monitor', layout.params, depth10);
    expect(deep.exitCode, deep.stderr).toBe(OCF.SUCCESS);
  });

  it('wrong credentials fail depth 10 with a clear reason that never shows the password, and depth 0 still passes', async () => {
    const secret = 'n0t-the-Password';
    const r = await rabbitmq('monitor', { ...layout.params, password: secret }, depth10);
    expect(r.exitCode).toBe(OCF.ERR_GENERIC);
    expect(r.exitReason).toMatch(/login as guest was refused/);
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect((await rabbitmq('monitor', { ...layout.params, password: secret }, recurring)).exitCode).toBe(OCF.SUCCESS);
  });

  it('a wedged (SIGSTOPped) broker fails monitor within the deadline, never NOT_RUNNING', async () => {
    const pid = brokerPid(layout);
    process.kill(pid, 'SIGSTOP');
    try {
      const r = await rabbitmq('monitor', layout.params, { ...recurring, OCF_RESKEY_CRM_meta_timeout: '20000' });
      expect(r.exitCode).toBe(OCF.ERR_GENERIC);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it('a killed broker is NOT_RUNNING on a probe and a failure on a recurring monitor; stop and start recover it', async () => {
    process.kill(brokerPid(layout), 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    expect((await rabbitmq('monitor', layout.params)).exitCode).toBe(OCF.NOT_RUNNING);
    const recurringResult = await rabbitmq('monitor', layout.params, recurring);
    expect(recurringResult.exitCode).toBe(OCF.ERR_GENERIC);
    expect(recurringResult.exitReason).toMatch(/is gone/);
    expect((await rabbitmq('stop', layout.params)).exitCode).toBe(OCF.SUCCESS);
    const again = await rabbitmq('start', layout.params);
    expect(again.exitCode, again.stderr).toBe(OCF.SUCCESS);
  });

  it('stop shuts the broker down and leaves no broker process; stop again returns SUCCESS', async () => {
    const pid = brokerPid(layout);
    expect((await rabbitmq('stop', layout.params)).exitCode).toBe(OCF.SUCCESS);
    // Gone, or a zombie waiting for init to reap it: either way not running.
    expect(isLive(readProcess(pid))).toBe(false);
    expect((await rabbitmq('stop', layout.params)).exitCode).toBe(OCF.SUCCESS);
    expect((await rabbitmq('monitor', layout.params)).exitCode).toBe(OCF.NOT_RUNNING);
  });

  it.each([
    ['a nodename without a host', OCF.ERR_CONFIGURED, { nodename: 'rabbit' }, /nodename expects name@host/],
    ['an AMQP port out of range', OCF.ERR_CONFIGURED, { node_port: '70000' }, /node_port expects a TCP port/],
    ['a missing server script', OCF.ERR_INSTALLED, { binary: '/nonexistent/rabbitmq-server' }, /not installed/],
    ['an unknown account', OCF.ERR_INSTALLED, { user: 'no_such_user_x' }, /user no_such_user_x/],
  ] as const)('validate-all with %s returns %i', async (_what, code, bad, reason) => {
    const r = await rabbitmq('validate-all', { ...layout.params, ...bad });
    expect(r.exitCode).toBe(code);
    expect(r.exitReason).toMatch(reason);
  });

  it('ocf-tester reports "passed all tests" for the installed agent', async () => {
    const { out } = await ocfTester(join(INSTALLED, 'rabbitmq'), 'tsha_rabbit', layout.params);
    expect(out).toContain('passed all tests');
  });
});

describe('ocf:tsha:rabbitmq in clone mode (cluster=on) on one machine, outside a cluster', () => {
  let layout: BrokerLayout;
  let params: Record<string, string>;
  beforeAll(async () => {
    layout = await brokerLayout();
    const cookie = join(layout.dir, 'cookie');
    writeFileSync(cookie, 'TSHACLONETESTCOOKIE', { mode: 0o400 });
    // Outside Pacemaker the node is the host name; the map gives it the broker's host part.
    params = { ...layout.params, cluster: 'on', cluster_host_map: `${hostname()}:localhost`, erlang_cookie_file: cookie };
  });
  afterAll(() => layout.remove());

  it('start forms a one-member cluster; depth 10 sees every member running; the cookie never reaches argv', async () => {
    const r = await rabbitmq('start', params);
    expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
    const deep = await rabbitmq('monitor', params, depth10);
    expect(deep.exitCode, deep.stderr).toBe(OCF.SUCCESS);
    for (const p of allProcesses()) expect(p.argv.join(' ')).not.toContain('TSHACLONETESTCOOKIE');
  });

  it('stop, then start again: the node that stopped last boots first, with its data', async () => {
    expect((await rabbitmq('stop', params)).exitCode).toBe(OCF.SUCCESS);
    expect((await rabbitmq('monitor', params)).exitCode).toBe(OCF.NOT_RUNNING);
    const again = await rabbitmq('start', params);
    expect(again.exitCode, again.stderr).toBe(OCF.SUCCESS);
    expect((await rabbitmq('stop', params)).exitCode).toBe(OCF.SUCCESS);
  });

  it('a node drained by hand (rabbitmq-upgrade drain) fails its monitor saying so; after stop and start it is out of maintenance mode and serves', async () => {
    expect((await rabbitmq('start', params)).exitCode).toBe(OCF.SUCCESS);
    const drain = await upgrade(params, 'drain');
    expect(drain.code, drain.out).toBe(0);
    expect(await underMaintenance(params)).toBe(true);
    const drained = await rabbitmq('monitor', params, recurring);
    expect(drained.exitCode).toBe(OCF.ERR_GENERIC);
    expect(drained.exitReason).toMatch(/maintenance mode \(drained/);
    expect((await rabbitmq('stop', params)).exitCode).toBe(OCF.SUCCESS);
    // Start makes no revive call: RabbitMQ's own boot ends the maintenance mode.
    const again = await rabbitmq('start', params);
    expect(again.exitCode, again.stderr).toBe(OCF.SUCCESS);
    expect(await underMaintenance(params)).toBe(false);
    expect((await rabbitmq('monitor', params, recurring)).exitCode).toBe(OCF.SUCCESS);
    expect((await rabbitmq('stop', params)).exitCode).toBe(OCF.SUCCESS);
  });

  it('start with set_policy (heartbeat/rabbitmq-cluster’s parameter) sets the policy; one RabbitMQ refuses fails the start, saying why', async () => {
    const policy = 'tsha-lazy ^tsha\\.lazy\\. { "queue-mode": "lazy" }';
    const r = await rabbitmq('start', { ...params, set_policy: policy });
    expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
    const { stdout } = await promisify(execFile)(
      '/usr/lib/rabbitmq/bin/rabbitmqctl',
      ['-q', '-n', params.nodename!, 'list_policies', '--formatter', 'json'],
      { env: { ...process.env, HOME: join(params.mnesia_base!, '.tsha-home'), ERL_EPMD_PORT: params.epmd_port! }, timeout: 60_000 },
    );
    const set = (JSON.parse(stdout) as { name: string; pattern: string; definition: unknown }[]).find((p) => p.name === 'tsha-lazy');
    expect(set?.pattern).toBe('^tsha\\.lazy\\.');
    // rabbitmqctl's JSON gives the definition as a JSON string.
    const definition = typeof set?.definition === 'string' ? JSON.parse(set.definition) : set?.definition;
    expect(definition).toEqual({ 'queue-mode': 'lazy' });
    const refused = await rabbitmq('start', { ...params, set_policy: 'tsha-bad .* {"no-such-key":1}' });
    expect(refused.exitCode).toBe(OCF.ERR_GENERIC);
    expect(refused.exitReason).toMatch(/set_policy tsha-bad failed: .*no-such-key/);
    expect((await rabbitmq('stop', params)).exitCode).toBe(OCF.SUCCESS);
  });

  it('validate-all rejects a set_policy that is not "name pattern definition" with ERR_CONFIGURED', async () => {
    const r = await rabbitmq('validate-all', { ...params, set_policy: 'ha-all ha-mode=all' });
    expect(r.exitCode).toBe(OCF.ERR_CONFIGURED);
    expect(r.exitReason).toMatch(/set_policy/);
  });

  it('validate-all rejects a malformed cluster_host_map with ERR_CONFIGURED', async () => {
    const r = await rabbitmq('validate-all', { ...params, cluster_host_map: 'n1' });
    expect(r.exitCode).toBe(OCF.ERR_CONFIGURED);
    expect(r.exitReason).toMatch(/cluster_host_map/);
  });

  it('ocf-tester reports "passed all tests" in clone mode', async () => {
    const { out } = await ocfTester(join(INSTALLED, 'rabbitmq'), 'tsha_rabbit_clone', params);
    expect(out).toContain('passed all tests');
  });
});
