// Benchmark, not a test: what the Keystone token cache saves a depth-10 monitor of glance-api, nova-api
// and placement-api, against the same real services (Debian 12's OpenStack Zed, test/support/openstack.ts),
// and how many tokens Keystone issues for N monitors — counted on Keystone's side, from the request log
// of keystone's uwsgi (one `POST /v3/auth/tokens… (HTTP/1.1 201)` line per token).
//
//   node bench/token-cache.ts [--runs N] [--baseline DIR]
//
// Each service is run three ways, interleaved so that drift hits all alike:
//   warm cache     the agents of build/out, the token cache left in place (the steady state)
//   cache removed  the same agents, the cache file removed before every run (a new token each run)
//   baseline       DIR's agents, if given: build/out of a commit before the cache (a new token each run)
// and keystone's own depth 10 as the reference (it issues a token every run by design). A baseline:
//   git worktree add /tmp/tsha-base <commit> && (cd /tmp/tsha-base && npm ci && node build/bundle.mjs)
//   node bench/token-cache.ts --baseline /tmp/tsha-base/build/out
// Medians of wall time (python3 launcher, as bench/monitor.mjs). Prints figures and exits 0.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveCredentials, type CredentialInputs } from '../shared/openstack/credentials.ts';
import { TOKEN_FOLDER, tokenCacheFile } from '../shared/openstack/token-cache.ts';
import { openstackCloud, runCloudAgent } from '../test/support/openstack.ts';
import { pacemakerEnv } from '../test/support/pacemaker-env.ts';
import { BUILT } from '../test/support/paths.ts';
import { median, timedRun } from './measure.mjs';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '20' }, baseline: { type: 'string', default: '' } } });
const runs = Number(args.runs);
const TARGET_MS = 100;

interface Variant {
  readonly service: string;
  readonly name: string;
  readonly argv: readonly string[];
  readonly env: Record<string, string>;
  readonly params: Record<string, string>;
  /** Before each timed run: remove this identity's cached token. */
  readonly cold: boolean;
  readonly wall: number[];
  tokens: number;
  readonly rc: Set<number>;
}

const cloud = await openstackCloud();
const p = cloud.params;
const tokenLog = join(cloud.dir, 'log', 'keystone', 'uwsgi.log');
const tokensIssued = () => readFileSync(tokenLog, 'utf8').match(/POST \/v3\/auth\/tokens\S* => .*\(HTTP\/1\.1 201\)/g)?.length ?? 0;
/** The monitor's identity, as the agent resolves it from its os_* parameters. */
const credentialsOf = (params: Record<string, string>) => {
  const none = Object.fromEntries(
    ['os_auth_url', 'keystone_get_token_url', 'os_username', 'os_password', 'os_tenant_name', 'os_project_name'].map((k) => [k, '']),
  );
  const inputs = {
    ...none,
    os_user_domain_name: '',
    os_project_domain_name: '',
    os_cloud: '',
    os_client_config_file: '',
    os_credentials_file: '',
  };
  return resolveCredentials({ ...inputs, ...params } as CredentialInputs, [])!.credentials;
};
/** Removes one identity's cached token, or every one. */
const forgetTokens = (params?: Record<string, string>) =>
  rmSync(params ? tokenCacheFile(cloud.stateDir, credentialsOf(params)) : join(cloud.stateDir, TOKEN_FOLDER), {
    recursive: true,
    force: true,
  });
const started: [string, Record<string, string>][] = [];

async function must(agent: string, action: string, params: Record<string, string>, extra: Record<string, string> = {}): Promise<void> {
  const r = await runCloudAgent(cloud, agent, action, params, extra);
  if (r.exitCode !== 0) throw new Error(`${agent} ${action} failed (${r.exitCode}): ${r.stderr.slice(-800)}`);
}

try {
  await must('keystone', 'start', p.keystone);
  started.push(['keystone', p.keystone]);
  await Promise.all([cloud.registerCatalog(), cloud.startPlacement()]);
  started.push(['placement-api', p.placementApi]);
  for (const [agent, params] of [
    ['glance-api', p.glanceApi],
    ['nova-api', p.novaApi],
  ] as const) {
    await must(agent, 'start', params);
    started.push([agent, params]);
  }
  const services: [string, Record<string, string>][] = [
    ['glance-api', p.glanceApi],
    ['nova-api', p.novaApi],
    ['placement-api', p.placementApi],
  ];
  const deep = (agent: string, params: Record<string, string>) =>
    pacemakerEnv(params, {
      OCF_RESOURCE_TYPE: agent,
      OCF_RESOURCE_INSTANCE: agent,
      OCF_RESKEY_CRM_meta_interval: '60000',
      OCF_RESKEY_CRM_meta_timeout: '60000',
      OCF_CHECK_LEVEL: '10',
      HA_RSCTMP: cloud.stateDir,
    });
  // Each service's keystonemiddleware gets its own service token on the first request it validates:
  // not the monitors' tokens, so before the count starts.
  for (const [agent, params] of services)
    await must(agent, 'monitor', params, { OCF_CHECK_LEVEL: '10', OCF_RESKEY_CRM_meta_interval: '60000' });
  const variant = (service: string, name: string, dir: string, params: Record<string, string>, cold: boolean): Variant => ({
    service,
    name,
    argv: [process.execPath, join(dir, service), 'monitor'],
    env: deep(service, params),
    params,
    cold,
    wall: [],
    tokens: 0,
    rc: new Set(),
  });
  const variants: Variant[] = [];
  for (const [agent, params] of services) {
    variants.push(variant(agent, 'warm cache', BUILT, params, false));
    variants.push(variant(agent, 'cache removed', BUILT, params, true));
    if (args.baseline) variants.push(variant(agent, 'baseline (no cache)', args.baseline, params, false));
  }
  variants.push(variant('keystone', 'own check (no cache)', BUILT, p.keystone, false));

  // Warm: one run each, so the first timed run of "warm cache" already finds its token.
  forgetTokens();
  const warmupStart = tokensIssued();
  for (const v of variants) if (!v.cold) await timedRun(v, v.env);
  const warmupTokens = tokensIssued() - warmupStart;
  for (let i = 0; i < runs; i++) {
    for (const v of variants) {
      // The cold run writes its new token back under the same key: the warm variant stays warm.
      if (v.cold) forgetTokens(v.params);
      const before = tokensIssued();
      const t = await timedRun(v, v.env);
      v.tokens += tokensIssued() - before;
      v.wall.push(t.wallMs);
      v.rc.add(t.rc);
    }
  }

  // Tokens per N monitors, each identity on its own from an empty cache, as a node's monitors run.
  const perN: [string, number][] = [];
  for (const [agent, params] of [...services, ['keystone', p.keystone] as [string, Record<string, string>]]) {
    forgetTokens(agent === 'keystone' ? undefined : params);
    const v = variants.find((x) => x.service === agent && !x.cold && !x.name.startsWith('baseline'))!;
    const before = tokensIssued();
    for (let i = 0; i < runs; i++) await timedRun(v, v.env);
    perN.push([agent, tokensIssued() - before]);
  }

  console.log(`\nDepth-10 monitors with the Keystone token cache (${runs} runs each, interleaved; medians)`);
  console.log(`baseline: ${args.baseline || 'not given (--baseline DIR: build/out of a commit without the cache)'}`);
  console.log('service          variant                 wall ms    min ms   tokens/run  tokens in total');
  for (const v of variants) {
    console.log(
      `${v.service.padEnd(16)} ${v.name.padEnd(22)} ${median(v.wall).toFixed(1).padStart(8)} ${Math.min(...v.wall)
        .toFixed(1)
        .padStart(
          9,
        )} ${(v.tokens / runs).toFixed(2).padStart(12)} ${`${v.tokens} / ${runs} monitors`.padStart(17)}   rc ${[...v.rc].join('/')}`,
    );
  }
  console.log(`(warm-up before the timed runs: ${warmupTokens} tokens for ${variants.filter((v) => !v.cold).length} first runs)`);
  console.log(
    `\nTokens Keystone issued for ${runs} depth-10 monitors in a row from an empty cache (its uwsgi log): ${perN.map(([a, n]) => `${a} ${n}`).join(', ')}`,
  );
  for (const [service] of services) {
    const warm = variants.find((v) => v.service === service && v.name === 'warm cache')!;
    const cold = variants.find((v) => v.service === service && v.name === 'cache removed')!;
    const base = variants.find((v) => v.service === service && v.name.startsWith('baseline'));
    const ms = (v: Variant) => `${median(v.wall).toFixed(0)} ms`;
    console.log(
      `${service.padEnd(16)} warm ${ms(warm)} vs cache removed ${ms(cold)}${base ? ` vs baseline ${ms(base)}` : ''}: ` +
        `${median(warm.wall) <= TARGET_MS ? 'within' : 'OVER'} the ${TARGET_MS} ms target; ` +
        `${perN.find(([a]) => a === service)![1]} token(s) per ${runs} monitors (target <= 1 per token lifetime)`,
    );
  }
} finally {
  for (const [agent, params] of started.reverse()) await runCloudAgent(cloud, agent, 'stop', params);
  await cloud.remove();
}
