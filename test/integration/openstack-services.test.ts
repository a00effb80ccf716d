import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OCF } from '../../shared/ocf/exit-codes.ts';
import { TOKEN_FOLDER } from '../../shared/openstack/token-cache.ts';
import { allProcesses, descendants, isLive, readProcess } from '../../shared/process/proc.ts';
import { waitFor } from '../lab/lab.ts';
import { openstackCloud, runCloudAgent, UWSGI, type OpenStackCloud } from '../support/openstack.ts';
import { sql } from '../support/mariadb.ts';
import { pacemakerEnv } from '../support/pacemaker-env.ts';
import { INSTALLED } from '../support/paths.ts';
import { DIAGNOSTICS } from '../support/failure-summary.ts';
import { runAgent, type AgentResult } from '../support/run-agent.ts';
import { ocfTester } from '../support/ocf-tester.ts';
import { tokenCacheSuite } from './openstack-token-cache.suite.ts';

// The agents against the real services of Debian 12 (OpenStack Zed): keystone and placement under
// uwsgi, glance-api, nova-api, -scheduler, -conductor, -compute (fake driver) and the noVNC proxy, with a
// private MariaDB and RabbitMQ run by the harness (test/support/openstack.ts). Each agent starts and
// stops its service itself, as Pacemaker would have it do.
const recurring = { OCF_RESKEY_CRM_meta_interval: '10000' };
const deep = { ...recurring, OCF_CHECK_LEVEL: '10' };

let cloud: OpenStackCloud;

function run(agent: string, action: string, params: Record<string, string>, extra: Record<string, string> = {}): Promise<AgentResult> {
  return runCloudAgent(cloud, agent, action, params, extra);
}

async function mustRun(
  agent: string,
  action: string,
  params: Record<string, string>,
  extra: Record<string, string> = {},
): Promise<AgentResult> {
  const r = await run(agent, action, params, extra);
  expect(r.exitCode, `${agent} ${action}: ${r.stderr}`).toBe(OCF.SUCCESS);
  return r;
}

function pidOf(params: Record<string, string>): number {
  return Number(readFileSync(params.pid!, 'utf8').trim());
}

function tree(pid: number): number[] {
  return [pid, ...descendants(pid, allProcesses()).map((p) => p.pid)];
}

function uidOf(pid: number): number {
  const uid = readProcess(pid)?.uid;
  if (uid === undefined) throw new Error(`no uid readable for pid ${pid}`);
  return uid;
}

/** Kill -9 of the service: a probe says NOT_RUNNING, a recurring monitor fails (never 7), start recovers it. */
async function killNine(agent: string, params: Record<string, string>): Promise<void> {
  const pids = tree(pidOf(params));
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  await waitFor(`${agent}'s processes to die`, 10_000, async () => (pids.some((pid) => isLive(readProcess(pid))) ? undefined : true));
  expect((await run(agent, 'monitor', params)).exitCode).toBe(OCF.NOT_RUNNING);
  const r = await run(agent, 'monitor', params, recurring);
  expect(r.exitCode).toBe(OCF.ERR_GENERIC);
  expect(r.exitReason).toMatch(/is gone/);
  await mustRun(agent, 'stop', params);
  await mustRun(agent, 'start', params);
}

/** SIGSTOP of the whole tree: monitor fails within its deadline, never NOT_RUNNING. */
/** A signal to a process that may have exited since its tree was listed (a short-lived worker): gone is fine. */
function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function wedged(agent: string, params: Record<string, string>): Promise<void> {
  const pids = tree(pidOf(params));
  for (const pid of pids) signalIfAlive(pid, 'SIGSTOP');
  try {
    const r = await run(agent, 'monitor', params, { ...recurring, OCF_RESKEY_CRM_meta_timeout: '6000' });
    expect(r.exitCode).toBe(OCF.ERR_GENERIC);
    expect(r.ms).toBeLessThan(6000);
  } finally {
    for (const pid of pids) signalIfAlive(pid, 'SIGCONT');
  }
}

describe("OpenStack agents against Debian's OpenStack Zed services", () => {
  beforeAll(async () => {
    cloud = await openstackCloud();
    console.log(
      `[openstack] set-up: ${Object.entries(cloud.timings)
        .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
        .join(', ')}`,
    );
  }, 900_000);
  // The first failures carry the cloud's state (last log errors, live processes, who holds each port):
  // later ones are usually their consequences, and CI keeps only the tail of a run.
  let diagnosed = 0;
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      if (cloud && diagnosed++ < 3) console.log(`${DIAGNOSTICS} ${cloud.diagnostics()}`);
    });
  });
  afterAll(async () => {
    if (!cloud) return;
    for (const [agent, params] of [
      ['nova-novncproxy', cloud.params.novaNovncproxy],
      ['nova-api', cloud.params.novaApi],
      ['nova-compute', cloud.params.novaCompute],
      ['nova-scheduler', cloud.params.novaScheduler],
      ['nova-conductor', cloud.params.novaConductor],
      ['glance-api', cloud.params.glanceApi],
      ['placement-api', cloud.params.placementApi],
      ['keystone', cloud.params.keystone],
    ] as const)
      await run(agent, 'stop', params);
    await cloud.remove();
  }, 300_000);

  describe('ocf:tsha:keystone (uwsgi)', () => {
    const p = () => cloud.params.keystone;

    it('a probe before start returns NOT_RUNNING; start returns SUCCESS once /v3 answers; uwsgi runs as keystone', async () => {
      expect((await run('keystone', 'monitor', p())).exitCode).toBe(OCF.NOT_RUNNING);
      await mustRun('keystone', 'start', p());
      const workers = tree(pidOf(p())).slice(1);
      expect(workers.length).toBeGreaterThan(0);
      for (const w of workers) expect(uidOf(w)).not.toBe(0);
      await mustRun('keystone', 'start', p());
      await cloud.registerCatalog();
    });

    it('monitor at depth 0 and at depth 10 (a v3 token issued and validated) return SUCCESS', async () => {
      await mustRun('keystone', 'monitor', p(), recurring);
      await mustRun('keystone', 'monitor', p(), deep);
    });

    it('wrong credentials: depth 10 fails with a reason naming the user, never the password; depth 0 still passes', async () => {
      const bad = { ...p(), os_password: 'not-the-password-x9' };
      const r = await run('keystone', 'monitor', bad, deep);
      expect(r.exitCode).toBe(OCF.ERR_GENERIC);
      expect(r.exitReason).toMatch(/Keystone refused the credentials of user admin/);
      expect(r.stderr).not.toContain('not-the-password-x9');
      await mustRun('keystone', 'monitor', bad, recurring);
    });

    it('depth 10 reads the credentials from a clouds.yaml entry instead of the CIB', async () => {
      const file = join(cloud.dir, 'clouds.yaml');
      writeFileSync(
        file,
        `clouds:\n  ha:\n    auth:\n      auth_url: ${cloud.admin.authUrl}\n      username: admin\n      password: "${cloud.admin.password}"\n      project_name: admin\n      user_domain_name: Default\n      project_domain_name: Default\n`,
      );
      const { os_password: _p, os_username: _u, ...rest } = p();
      await mustRun('keystone', 'monitor', { ...rest, os_cloud: 'ha', os_client_config_file: file }, deep);
    });

    it('a wedged keystone (SIGSTOP) fails monitor within the deadline', async () => {
      await wedged('keystone', p());
    });

    it('kill -9 of the uwsgi master and workers: a probe says NOT_RUNNING, a recurring monitor fails; stop then start recover it', async () => {
      await killNine('keystone', p());
    });
  });

  describe('ocf:tsha:glance-api', () => {
    const p = () => cloud.params.glanceApi;

    it('start returns SUCCESS once /healthcheck answers; depth 0 and depth 10 (GET /v2/images with a token) pass', async () => {
      expect((await run('glance-api', 'monitor', p())).exitCode).toBe(OCF.NOT_RUNNING);
      await mustRun('glance-api', 'start', p());
      expect(uidOf(pidOf(p()))).not.toBe(0);
      await mustRun('glance-api', 'monitor', p(), recurring);
      await mustRun('glance-api', 'monitor', p(), deep);
    });

    it("without os_* parameters, depth 10 logs in with the service's own [keystone_authtoken]", async () => {
      const own = Object.fromEntries(Object.entries(p()).filter(([k]) => !k.startsWith('os_')));
      const r = await mustRun('glance-api', 'monitor', own, { ...deep, HA_debug: '1', HA_DEBUGLOG: '/dev/stderr' });
      expect(r.stderr).not.toContain('servicepass');
    });

    it("Keystone down: glance-api's depth 10 is DEGRADED (190), its depth 0 still SUCCESS", async () => {
      // Without a cached token: with one, glance may still serve it from keystonemiddleware's own cache.
      rmSync(join(cloud.stateDir, TOKEN_FOLDER), { recursive: true, force: true });
      await mustRun('keystone', 'stop', cloud.params.keystone);
      try {
        const r = await run('glance-api', 'monitor', p(), deep);
        expect(r.exitCode).toBe(OCF.DEGRADED);
        expect(r.exitReason).toMatch(/glance-api serves, but Keystone/);
        await mustRun('glance-api', 'monitor', p(), recurring);
      } finally {
        await mustRun('keystone', 'start', cloud.params.keystone);
      }
    });

    it("glance's database failing (its images table gone): depth 10 is DEGRADED for backend_grace, then fails; depth 0 passes; back, depth 10 passes", async () => {
      const socket = cloud.database.socket ?? '';
      await sql(socket, 'RENAME TABLE glance.images TO glance.images_away');
      try {
        const r = await run('glance-api', 'monitor', p(), deep);
        expect(r.exitCode, r.stderr).toBe(OCF.DEGRADED);
        expect(r.exitReason).toMatch(
          /^glance-api serves, but answers HTTP 5\d\d to an authenticated GET \S+ for \d+ s: its database down\? \(backend_grace=60 s\)$/,
        );
        await mustRun('glance-api', 'monitor', p(), recurring);
        // The first failing monitor recorded when; once backend_grace has passed, a failure.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const late = await run('glance-api', 'monitor', { ...p(), backend_grace: '1' }, deep);
        expect(late.exitCode).toBe(OCF.ERR_GENERIC);
        expect(late.exitReason).toMatch(/^glance-api answers HTTP 5\d\d to an authenticated GET \S+ for \d+ s$/);
      } finally {
        await sql(socket, 'RENAME TABLE glance.images_away TO glance.images');
      }
      await mustRun('glance-api', 'monitor', p(), deep);
      // The answer cleared the record: the next failure gets the whole grace again.
      await sql(socket, 'RENAME TABLE glance.images TO glance.images_away');
      try {
        expect((await run('glance-api', 'monitor', { ...p(), backend_grace: '1' }, deep)).exitCode).toBe(OCF.DEGRADED);
      } finally {
        await sql(socket, 'RENAME TABLE glance.images_away TO glance.images');
      }
      await mustRun('glance-api', 'monitor', p(), deep);
    });

    it('wrong credentials fail depth 10 with a clear reason; depth 0 still passes', async () => {
      const r = await run('glance-api', 'monitor', { ...p(), os_password: 'wrong' }, deep);
      expect(r.exitCode).toBe(OCF.ERR_GENERIC);
      expect(r.exitReason).toMatch(/Keystone refused the credentials of user glance/);
    });

    it('kill -9: a probe says NOT_RUNNING, a recurring monitor fails; stop then start recover it', async () => {
      await killNine('glance-api', p());
    });

    it('a wedged glance-api (SIGSTOP) fails monitor within the deadline', async () => {
      await wedged('glance-api', p());
    });
  });

  // Keystone and glance-api run now: the token cache's tests use them before nova's services start.
  tokenCacheSuite(() => cloud);

  describe('ocf:tsha:placement-api (uwsgi)', () => {
    const p = () => cloud.params.placementApi;

    it('start returns SUCCESS once the version document answers; depth 0 and depth 10 (GET /resource_providers) pass', async () => {
      expect((await run('placement-api', 'monitor', p())).exitCode).toBe(OCF.NOT_RUNNING);
      await cloud.startPlacement();
      for (const w of tree(pidOf(p())).slice(1)) expect(uidOf(w)).not.toBe(0);
      await mustRun('placement-api', 'monitor', p(), recurring);
      await mustRun('placement-api', 'monitor', p(), deep);
    });

    it('wrong credentials fail depth 10 with a clear reason; depth 0 still passes', async () => {
      const r = await run('placement-api', 'monitor', { ...p(), os_password: 'wrong' }, deep);
      expect(r.exitCode).toBe(OCF.ERR_GENERIC);
      expect(r.exitReason).toMatch(/Keystone refused the credentials of user placement/);
      await mustRun('placement-api', 'monitor', { ...p(), os_password: 'wrong' }, recurring);
    });

    it('a wedged placement (SIGSTOP) fails monitor within the deadline', async () => {
      await wedged('placement-api', p());
    });

    it('kill -9 of the uwsgi tree: a probe says NOT_RUNNING, a recurring monitor fails; stop then start recover it', async () => {
      await killNine('placement-api', p());
    });
  });

  describe('nova RPC services: conductor, scheduler, compute (fake driver)', () => {
    const services = [
      ['nova-conductor', () => cloud.params.novaConductor, 'conductor'],
      ['nova-scheduler', () => cloud.params.novaScheduler, 'scheduler'],
      ['nova-compute', () => cloud.params.novaCompute, 'compute'],
    ] as const;

    beforeAll(async () => {
      await cloud.startPlacement();
    }, 120_000);

    it.each(services)(
      '%s: start returns SUCCESS once it consumes its own queue; depth 0 and depth 10 (oslo_rpc_server_ping) pass',
      async (agent, p, topic) => {
        expect((await run(agent, 'monitor', p())).exitCode).toBe(OCF.NOT_RUNNING);
        await mustRun(agent, 'start', p());
        expect(await cloud.consumers(`${topic}.${cloud.host}`)).toBeGreaterThan(0);
        await mustRun(agent, 'monitor', p(), recurring);
        await mustRun(agent, 'monitor', p(), deep);
      },
    );

    it.each(services)(
      '%s: its own queue deleted (consumer gone) is DEGRADED while it reconnects, naming the queue',
      async (agent, p, topic) => {
        const queue = `${topic}.${cloud.host}`;
        await cloud.deleteQueue(queue);
        const r = await run(agent, 'monitor', p(), recurring);
        expect(r.exitCode).toBe(OCF.DEGRADED);
        expect(r.exitReason).toContain(queue);
        expect(r.exitReason).toMatch(/reconnect_grace=60 s/);
        // oslo.messaging re-declares its queue when it reconnects; monitor passes again then.
        await expect
          .poll(async () => (await run(agent, 'monitor', p(), recurring)).exitCode, { timeout: 60_000, interval: 1000 })
          .toBe(OCF.SUCCESS);
      },
    );

    it.each(services)('%s: a wedged service (SIGSTOP) fails depth 10 within the deadline', async (agent, p) => {
      const pid = pidOf(p());
      process.kill(pid, 'SIGSTOP');
      try {
        const r = await run(agent, 'monitor', p(), { ...deep, OCF_RESKEY_CRM_meta_timeout: '6000' });
        expect(r.exitCode).toBe(OCF.ERR_GENERIC);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    });

    it.each(services)('%s: kill -9, a probe says NOT_RUNNING, a recurring monitor fails; stop then start recover it', async (agent, p) => {
      await killNine(agent, p());
    });

    it("RabbitMQ down: each RPC service's monitor is DEGRADED (190); they recover when it returns", async () => {
      const broker = (action: string) =>
        runAgent('rabbitmq', action, pacemakerEnv(cloud.broker.params, { OCF_RESKEY_CRM_meta_timeout: '120000' }));
      expect((await broker('stop')).exitCode).toBe(OCF.SUCCESS);
      try {
        for (const [agent, p] of services) {
          const r = await run(agent, 'monitor', p(), recurring);
          expect(r.exitCode, agent).toBe(OCF.DEGRADED);
          expect(r.exitReason).toMatch(/RabbitMQ at 127\.0\.0\.1:\d+ is unreachable/);
        }
      } finally {
        expect((await broker('start')).exitCode).toBe(OCF.SUCCESS);
      }
      for (const [agent, p] of services) {
        await expect
          .poll(async () => (await run(agent, 'monitor', p(), recurring)).exitCode, { timeout: 90_000, interval: 1000 })
          .toBe(OCF.SUCCESS);
      }
    });
  });

  describe('ocf:tsha:nova-api', () => {
    const p = () => cloud.params.novaApi;

    it('start returns SUCCESS once the version document answers; depth 10 lists the compute services', async () => {
      await cloud.discoverHosts();
      expect((await run('nova-api', 'monitor', p())).exitCode).toBe(OCF.NOT_RUNNING);
      await mustRun('nova-api', 'start', p());
      await mustRun('nova-api', 'monitor', p(), recurring);
      await mustRun('nova-api', 'monitor', p(), deep);
      const token = await cloud.token('admin');
      const states = async () => {
        const r = await fetch(`http://127.0.0.1:${cloud.ports.nova}/v2.1/os-services`, { headers: { 'x-auth-token': token } });
        return ((await r.json()) as { services: { binary: string; state: string }[] }).services.map((s) => `${s.binary} ${s.state}`);
      };
      // "up" is a heartbeat in the database (report_interval 5 s, service_down_time 20 s): after the
      // kill -9 and RabbitMQ tests above, nova-compute may be a beat late reporting again.
      await expect
        .poll(states, { timeout: 60_000, interval: 1000 })
        .toEqual(expect.arrayContaining(['nova-conductor up', 'nova-scheduler up', 'nova-compute up']));
    });

    it('wrong credentials fail depth 10 with a clear reason; depth 0 still passes', async () => {
      const r = await run('nova-api', 'monitor', { ...p(), os_password: 'wrong' }, deep);
      expect(r.exitCode).toBe(OCF.ERR_GENERIC);
      expect(r.exitReason).toMatch(/Keystone refused the credentials of user nova/);
      await mustRun('nova-api', 'monitor', { ...p(), os_password: 'wrong' }, recurring);
    });

    it('stop ends the whole process tree (the API and its worker)', async () => {
      const pids = tree(pidOf(p()));
      expect(pids.length).toBeGreaterThan(1);
      // No wait: stop returns only once it has seen every one of them gone (or a zombie).
      await mustRun('nova-api', 'stop', p());
      for (const pid of pids) expect(isLive(readProcess(pid))).toBe(false);
      expect((await run('nova-api', 'monitor', p())).exitCode).toBe(OCF.NOT_RUNNING);
      await mustRun('nova-api', 'start', p());
    });

    it('stop needs no credentials and no config: it stops the service with both missing', async () => {
      await mustRun('nova-api', 'stop', {
        ...p(),
        config: '/nonexistent/nova.conf',
        os_password: '',
        os_username: '',
        os_auth_url: 'not a url',
      });
      expect((await run('nova-api', 'monitor', p())).exitCode).toBe(OCF.NOT_RUNNING);
      await mustRun('nova-api', 'start', p());
    });

    it('a wedged nova-api (SIGSTOP of the parent and its worker) fails monitor within the deadline', async () => {
      await wedged('nova-api', p());
    });

    it('kill -9: a probe says NOT_RUNNING, a recurring monitor fails; stop then start recover it', async () => {
      await killNine('nova-api', p());
    });
  });

  describe('ocf:tsha:nova-novncproxy', () => {
    const p = () => cloud.params.novaNovncproxy;

    it('start returns SUCCESS once vnc_auto.html answers; monitor passes; a wedged proxy fails', async () => {
      expect((await run('nova-novncproxy', 'monitor', p())).exitCode).toBe(OCF.NOT_RUNNING);
      await mustRun('nova-novncproxy', 'start', p());
      await mustRun('nova-novncproxy', 'monitor', p(), recurring);
      await wedged('nova-novncproxy', p());
    });

    it('kill -9: a probe says NOT_RUNNING, a recurring monitor fails; stop then start recover it', async () => {
      await killNine('nova-novncproxy', p());
    });
  });

  // Debian ships uwsgi inis for the API services (its init scripts run them): the agents run them as
  // they are, adding the socket, one worker and the account on the command line.
  describe("API services under Debian's own uwsgi inis", () => {
    it.each([
      ['nova-api', () => cloud.params.novaApi, '/etc/nova/nova-api-uwsgi.ini', () => cloud.ports.nova],
      ['glance-api', () => cloud.params.glanceApi, '/etc/glance/glance-api-uwsgi.ini', () => cloud.ports.glance],
    ] as const)(
      '%s: start, depth 0 and depth 10, and stop of the uwsgi master and workers, each worker given at most worker_mercy',
      async (agent, p, ini, port) => {
        await mustRun(agent, 'stop', p());
        const params = { ...p(), binary: UWSGI, uwsgi_ini: ini, http_socket: `127.0.0.1:${port()}`, workers: '1' };
        try {
          await mustRun(agent, 'start', params);
          const pids = tree(pidOf(params));
          expect(pids.length).toBeGreaterThan(1);
          // uwsgi's own 60 s worker mercy is the whole stop timeout; glance-api's workers hang at exit until it ends.
          expect(readFileSync(`/proc/${pids[0]}/cmdline`, 'utf8').split('\0').join(' ')).toContain('--worker-reload-mercy 10');
          for (const w of pids.slice(1)) expect(uidOf(w)).not.toBe(0);
          await mustRun(agent, 'monitor', params, recurring);
          await mustRun(agent, 'monitor', params, deep);
          // No wait: stop returns only once it has seen every one of them gone (or a zombie).
          await mustRun(agent, 'stop', params);
          for (const pid of pids) expect(isLive(readProcess(pid))).toBe(false);
        } finally {
          await run(agent, 'stop', params);
        }
      },
    );
  });

  // ocf-tester starts and stops each service three times: it runs last, on services already stopped.
  // The default run covers each launch kind once (HTTP daemon, uwsgi API, RPC daemon, keystone);
  // TSHA_FULL=1 adds the agents built by the same factory path (~60 s of CI: nova-compute and
  // nova-conductor as nova-scheduler, glance-api and placement-api as nova-api).
  const full = process.env.TSHA_FULL === '1';
  describe('ocf-tester on every real-service agent', () => {
    it.each([
      ['nova-novncproxy', () => cloud.params.novaNovncproxy],
      ['nova-api', () => cloud.params.novaApi],
      ...(full ? ([['nova-compute', () => cloud.params.novaCompute]] as const) : []),
      ['nova-scheduler', () => cloud.params.novaScheduler],
      ...(full ? ([['nova-conductor', () => cloud.params.novaConductor]] as const) : []),
      ...(full ? ([['glance-api', () => cloud.params.glanceApi]] as const) : []),
      ...(full ? ([['placement-api', () => cloud.params.placementApi]] as const) : []),
      ['keystone', () => cloud.params.keystone],
    ] as const)(
      '%s: "passed all tests"',
      async (agent, p) => {
        await mustRun(agent, 'stop', p());
        expect((await ocfTester(join(INSTALLED, agent), agent, p())).out).toContain('passed all tests');
      },
      600_000,
    );
  });
});
