import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCF } from '../../shared/ocf/exit-codes.ts';
import { isLive, readProcess } from '../../shared/process/proc.ts';
import { sleep, waitFor } from '../lab/lab.ts';
import { pacemakerEnv } from '../support/pacemaker-env.ts';
import { INSTALLED } from '../support/paths.ts';
import { brokerLayout, queueConsumers, type BrokerLayout } from '../support/rabbitmq.ts';
import { runAgent } from '../support/run-agent.ts';
import { writeStandIn } from '../support/standin-rpc-service.ts';
import { ocfTester } from '../support/ocf-tester.ts';

// nova-consoleauth, nova-cert, nova-network and nova-volume are in no packaged OpenStack release any
// more: they are tested against a stand-in (test/support/standin-rpc-service.ts) that consumes its queue
// and answers the oslo.messaging RPC ping like the services did, on a real RabbitMQ.
const LEGACY_RPC = [
  ['nova-consoleauth', 'consoleauth'],
  ['nova-cert', 'cert'],
  ['nova-network', 'network'],
  ['nova-volume', 'volume'],
] as const;

describe("factory-built RPC service agents against a stand-in service and Debian's RabbitMQ", () => {
  let broker: BrokerLayout;
  const rabbit = (action: string) => runAgent('rabbitmq', action, pacemakerEnv(broker.params, { OCF_RESKEY_CRM_meta_timeout: '120000' }));

  beforeAll(async () => {
    broker = await brokerLayout();
    expect((await rabbit('start')).exitCode).toBe(OCF.SUCCESS);
  });
  afterAll(async () => {
    await rabbit('stop');
    broker.remove();
  });

  describe.each(LEGACY_RPC)('ocf:tsha:%s', (name, topic) => {
    let dir: string;
    let params: Record<string, string>;
    const recurring = { OCF_RESKEY_CRM_meta_interval: '10000' };
    const deep = { ...recurring, OCF_CHECK_LEVEL: '10' };
    const agent = (action: string, p: Record<string, string>, extra: Record<string, string> = {}) =>
      runAgent(
        name,
        action,
        pacemakerEnv(p, { OCF_RESOURCE_TYPE: name, OCF_RESOURCE_INSTANCE: topic, OCF_RESKEY_CRM_meta_timeout: '60000', ...extra }),
      );
    const servicePid = () => Number(readFileSync(params.pid!, 'utf8').trim());

    beforeAll(async () => {
      // The previous agent's last test stopped and restarted the broker: start it if it is not running.
      if ((await rabbit('monitor')).exitCode !== OCF.SUCCESS) expect((await rabbit('start')).exitCode).toBe(OCF.SUCCESS);
      dir = mkdtempSync(join(tmpdir(), 'tsha-nova-'));
      chmodSync(dir, 0o755);
      const conf = join(dir, 'nova.conf');
      writeFileSync(
        conf,
        `[DEFAULT]\ntransport_url = rabbit://guest:guest@127.0.0.1:${broker.params.node_port}/\nhost = tsha-test-host\nrpc_ping_enabled = true\n`,
      );
      chmodSync(conf, 0o644);
      params = {
        binary: writeStandIn(dir, name),
        config: conf,
        user: 'nobody',
        pid: join(dir, `${topic}.pid`),
        log: join(dir, `${topic}.log`),
      };
    });
    afterAll(async () => {
      await agent('stop', params);
      rmSync(dir, { recursive: true, force: true });
    });

    it('a probe before start returns NOT_RUNNING; start returns SUCCESS once the service consumes its queue; start again is idempotent', async () => {
      expect((await agent('monitor', params)).exitCode).toBe(OCF.NOT_RUNNING);
      const r = await agent('start', params);
      expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
      expect((await agent('start', params)).exitCode).toBe(OCF.SUCCESS);
      expect((await agent('monitor', params, recurring)).exitCode).toBe(OCF.SUCCESS);
    });

    it('monitor at depth 10 calls oslo_rpc_server_ping on the service\'s own queue and gets "pong"', async () => {
      const r = await agent('monitor', params, deep);
      expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
    });

    it('a transport_url whose first broker does not answer: monitor checks the service through the next one it lists, and tries that one first from then on', async () => {
      const listed = { ...params, transport_url: `rabbit://guest:guest@127.0.0.1:1,127.0.0.1:${broker.params.node_port}/` };
      const r = await agent('monitor', listed, deep);
      expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
      // The broker that answered is tried first from then on: no connect attempt lost on the dead one.
      const debug = join(dir, 'debug.log');
      const again = await agent('monitor', listed, { ...deep, HA_debug: '1', HA_DEBUGLOG: debug });
      expect(again.exitCode, again.stderr).toBe(OCF.SUCCESS);
      // The debug log exists only when a debug line was written: the skipped host is the only one here.
      expect(existsSync(debug) ? readFileSync(debug, 'utf8') : '').not.toMatch(/127\.0\.0\.1:1 does not answer/);
      const remembered = join('/run/resource-agents', 'tsha-rpc-brokers', `${topic}.tsha-test-host`);
      expect(readFileSync(remembered, 'utf8')).toBe(`127.0.0.1:${broker.params.node_port}`);
    });

    it('a service that consumes but no longer answers fails depth 10 within the deadline and still passes depth 0', async () => {
      process.kill(servicePid(), 'SIGUSR2');
      const r = await agent('monitor', params, { ...deep, OCF_RESKEY_CRM_meta_timeout: '4000' });
      expect(r.exitCode).toBe(OCF.ERR_GENERIC);
      expect(r.exitReason).toMatch(new RegExp(`no answer to oslo_rpc_server_ping on ${topic}\\.tsha-test-host`));
      expect((await agent('monitor', params, recurring)).exitCode).toBe(OCF.SUCCESS);
    });

    it('the service runs as its account, detached', () => {
      const uid = readProcess(servicePid())?.uid;
      expect(uid).toBeTypeOf('number');
      expect(uid).not.toBe(0);
    });

    it('a service that no longer consumes its own queue is DEGRADED for reconnect_grace, then fails monitor (1), naming the queue', async () => {
      process.kill(servicePid(), 'SIGUSR1');
      const queue = `${topic}.tsha-test-host`;
      await waitFor(`the broker to drop the consumer on ${queue}`, 10_000, async () =>
        (await queueConsumers(broker.params, queue)) === 0 ? true : undefined,
      );
      const graced = { ...params, reconnect_grace: '2' };
      const first = await agent('monitor', graced, recurring);
      expect(first.exitCode).toBe(OCF.DEGRADED);
      expect(first.exitReason).toMatch(
        new RegExp(`no consumer on ${name}'s queue ${topic}\\.tsha-test-host for \\d+ s, within reconnect_grace=2 s`),
      );
      await sleep(2100);
      const r = await agent('monitor', graced, recurring);
      expect(r.exitCode).toBe(OCF.ERR_GENERIC);
      expect(r.exitReason).toMatch(
        new RegExp(`no consumer on ${name}'s queue ${topic}\\.tsha-test-host: the service does not take its RPC calls \\(for \\d+ s\\)`),
      );
      // reconnect_grace=0: a failure at once.
      expect((await agent('monitor', { ...params, reconnect_grace: '0' }, recurring)).exitCode).toBe(OCF.ERR_GENERIC);
    });

    it('a wedged (SIGSTOPped) service fails monitor, never NOT_RUNNING', async () => {
      const pid = servicePid();
      process.kill(pid, 'SIGSTOP');
      try {
        expect((await agent('monitor', params, recurring)).exitCode).toBe(OCF.ERR_GENERIC);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    });

    it('kill -9: a probe says NOT_RUNNING, a recurring monitor fails; stop then start recover it', async () => {
      const pid = servicePid();
      process.kill(pid, 'SIGKILL');
      await waitFor(`pid ${pid} to die`, 10_000, async () => (isLive(readProcess(pid)) ? undefined : true));
      expect((await agent('monitor', params)).exitCode).toBe(OCF.NOT_RUNNING);
      const r = await agent('monitor', params, recurring);
      expect(r.exitCode).toBe(OCF.ERR_GENERIC);
      expect(r.exitReason).toMatch(/is gone/);
      expect((await agent('stop', params)).exitCode).toBe(OCF.SUCCESS);
      const again = await agent('start', params);
      expect(again.exitCode, again.stderr).toBe(OCF.SUCCESS);
    });

    it('stop never needs the transport URL or the config file: it stops the service with both missing', async () => {
      const pid = servicePid();
      const r = await agent('stop', { ...params, config: '/nonexistent/nova.conf', transport_url: 'not a url' });
      expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
      // Gone, or a zombie waiting for init to reap it: either way not running.
      expect(isLive(readProcess(pid))).toBe(false);
      expect((await agent('stop', params)).exitCode).toBe(OCF.SUCCESS);
    });

    it.each([
      ['a transport_url that is not one', OCF.ERR_CONFIGURED, { transport_url: 'http://x' }, /transport_url must start with rabbit:\/\//],
      ['a missing binary', OCF.ERR_INSTALLED, { binary: `/nonexistent/${name}` }, /not installed/],
      ['an unknown account', OCF.ERR_INSTALLED, { user: 'no_such_user_x' }, /user no_such_user_x/],
    ] as const)('validate-all with %s returns %i', async (_what, code, bad, reason) => {
      const r = await agent('validate-all', { ...params, ...bad });
      expect(r.exitCode).toBe(code);
      expect(r.exitReason).toMatch(reason);
    });

    it('ocf-tester reports "passed all tests" for the installed agent', async () => {
      const { out } = await ocfTester(join(INSTALLED, name), topic, params);
      expect(out).toContain('passed all tests');
    });

    it('RabbitMQ down: monitor of a running service is DEGRADED (190), not NOT_RUNNING; it passes again once the service reconnects', async () => {
      expect((await agent('start', params)).exitCode).toBe(OCF.SUCCESS);
      expect((await rabbit('stop')).exitCode).toBe(OCF.SUCCESS);
      const r = await agent('monitor', params, recurring);
      expect(r.exitCode).toBe(OCF.DEGRADED);
      expect(r.exitReason).toMatch(/RabbitMQ at 127\.0\.0\.1:\d+ is unreachable/);
      const listed = { ...params, transport_url: `rabbit://guest:guest@127.0.0.1:1,127.0.0.1:${broker.params.node_port}/` };
      const both = await agent('monitor', listed, recurring);
      expect(both.exitCode).toBe(OCF.DEGRADED);
      expect(both.exitReason).toMatch(
        /none of the 2 RabbitMQ hosts of transport_url is reachable: 127\.0\.0\.1:\d+ \(.+\), 127\.0\.0\.1:\d+ \(/,
      );
      // The service outlives its broker, as an oslo.messaging service does, and consumes again.
      expect((await rabbit('start')).exitCode).toBe(OCF.SUCCESS);
      await expect.poll(async () => (await agent('monitor', params, deep)).exitCode, { timeout: 30_000, interval: 500 }).toBe(OCF.SUCCESS);
    });
  });
});
