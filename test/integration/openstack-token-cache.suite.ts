import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OCF } from '../../shared/ocf/exit-codes.ts';
import { TOKEN_FOLDER } from '../../shared/openstack/token-cache.ts';
import { runCloudAgent, SERVICE_PASSWORD, type OpenStackCloud } from '../support/openstack.ts';
import type { AgentResult } from '../support/run-agent.ts';

// The depth-10 monitors of glance-api and keystone against the real services (Debian 12's OpenStack
// Zed, test/support/openstack.ts), run inside openstack-services.test.ts on its cloud (a cloud of its
// own cost ~50 s of set-up for 4 s of tests), counting the tokens Keystone issues from Keystone's side: every
// request keystone's uwsgi answers is a line of its log, `POST /v3/auth/tokens… (HTTP/1.1 201)` for
// each token issued.
const deep = { OCF_RESKEY_CRM_meta_interval: '60000', OCF_CHECK_LEVEL: '10' };

let cloud: OpenStackCloud;

function run(agent: string, action: string, params: Record<string, string>, extra: Record<string, string> = {}): Promise<AgentResult> {
  return runCloudAgent(cloud, agent, action, params, extra);
}

async function mustRun(agent: string, action: string, params: Record<string, string>, extra: Record<string, string> = {}) {
  const r = await run(agent, action, params, extra);
  expect(r.exitCode, `${agent} ${action}: ${r.stderr}`).toBe(OCF.SUCCESS);
  return r;
}

/** Tokens keystone has issued so far, from its own request log. */
function tokensIssued(): number {
  const log = readFileSync(join(cloud.dir, 'log', 'keystone', 'uwsgi.log'), 'utf8');
  return log.split('\n').filter((l) => /POST \/v3\/auth\/tokens\S* => .*\(HTTP\/1\.1 201\)/.test(l)).length;
}

/** A depth-10 monitor with its debug lines; stderr is a socket here, which /dev/stderr cannot open. */
async function debugMonitor(agent: string, params: Record<string, string>): Promise<{ r: AgentResult; debug: string }> {
  const file = join(cloud.dir, 'agent-debug.log');
  rmSync(file, { force: true });
  const r = await mustRun(agent, 'monitor', params, { ...deep, HA_debug: '1', HA_DEBUGLOG: file });
  return { r, debug: readFileSync(file, 'utf8') };
}

const forgetTokens = () => rmSync(join(cloud.stateDir, TOKEN_FOLDER), { recursive: true, force: true });

export function tokenCacheSuite(getCloud: () => OpenStackCloud): void {
  describe('the Keystone token cache against real Keystone and glance-api', () => {
    beforeAll(async () => {
      cloud = getCloud();
      // Both run by now (the services' own tests leave them running); start is idempotent.
      await mustRun('keystone', 'start', cloud.params.keystone);
      await mustRun('glance-api', 'start', cloud.params.glanceApi);
      // glance's keystonemiddleware gets its own service token on the first request it validates.
      await mustRun('glance-api', 'monitor', cloud.params.glanceApi, deep);
    }, 300_000);

    it('10 depth-10 glance-api monitors issue exactly 1 token, counted in keystone’s own log', async () => {
      forgetTokens();
      const before = tokensIssued();
      const runs: AgentResult[] = [];
      for (let i = 0; i < 10; i++) runs.push(await mustRun('glance-api', 'monitor', cloud.params.glanceApi, deep));
      expect(tokensIssued() - before).toBe(1);
      console.log(
        `[token-cache] glance-api depth 10: first ${Math.round(runs[0]!.ms)} ms, then ${runs
          .slice(1)
          .map((r) => Math.round(r.ms))
          .join(' ')} ms`,
      );
    });

    it('the cache file is mode 0600 in a 0700 folder and holds no password', async () => {
      const folder = join(cloud.stateDir, TOKEN_FOLDER);
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      const files = readdirSync(folder);
      expect(files).toHaveLength(1);
      const file = join(folder, files[0]!);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(file).uid).toBe(0);
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain(SERVICE_PASSWORD);
      expect(files[0]).not.toContain(SERVICE_PASSWORD);
      expect(JSON.parse(text).token).toMatch(/^gAAAAA/);
    });

    it('the token is in no log line or exit reason of the agent', async () => {
      const token = JSON.parse(
        readFileSync(join(cloud.stateDir, TOKEN_FOLDER, readdirSync(join(cloud.stateDir, TOKEN_FOLDER))[0]!), 'utf8'),
      ).token;
      const { r, debug } = await debugMonitor('glance-api', cloud.params.glanceApi);
      expect(debug).toMatch(/a cached Keystone token for the os_\* parameters, fresh for \d+ s more/);
      for (const text of [debug, r.stderr, r.stdout]) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(SERVICE_PASSWORD);
      }
    });

    it('a cached token glance refuses (401) is replaced: one new token, and the monitor passes', async () => {
      const folder = join(cloud.stateDir, TOKEN_FOLDER);
      const file = join(folder, readdirSync(folder)[0]!);
      const entry = JSON.parse(readFileSync(file, 'utf8'));
      // A token Keystone never issued: glance's keystonemiddleware answers 401.
      writeFileSync(file, JSON.stringify({ ...entry, token: `gAAAAA${'x'.repeat(150)}` }), { mode: 0o600 });
      const before = tokensIssued();
      const { debug } = await debugMonitor('glance-api', cloud.params.glanceApi);
      expect(debug).toMatch(/answers HTTP 401 to the cached token: dropping it and issuing a new one/);
      expect(tokensIssued() - before).toBe(1);
      await mustRun('glance-api', 'monitor', cloud.params.glanceApi, deep);
      expect(tokensIssued() - before).toBe(1);
    });

    it('a changed password reuses no token: wrong credentials fail depth 10 even with a cached token', async () => {
      const r = await run('glance-api', 'monitor', { ...cloud.params.glanceApi, os_password: 'wrong' }, deep);
      expect(r.exitCode).toBe(OCF.ERR_GENERIC);
      expect(r.exitReason).toMatch(/Keystone refused the credentials of user glance/);
    });

    it('a corrupt cache file is ignored: a new token, and the monitor passes', async () => {
      const folder = join(cloud.stateDir, TOKEN_FOLDER);
      writeFileSync(join(folder, readdirSync(folder)[0]!), '{"token": "gAAA', { mode: 0o600 });
      const before = tokensIssued();
      await mustRun('glance-api', 'monitor', cloud.params.glanceApi, deep);
      expect(tokensIssued() - before).toBe(1);
    });

    it("keystone's own depth-10 monitor issues a new token every run (that is what it checks)", async () => {
      const before = tokensIssued();
      for (let i = 0; i < 3; i++) await mustRun('keystone', 'monitor', cloud.params.keystone, deep);
      expect(tokensIssued() - before).toBe(3);
    });
  });
}
