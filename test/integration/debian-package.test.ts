import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCF } from '../../shared/ocf/exit-codes.ts';
import { TSHA_VERSION } from '../../shared/ocf/version.ts';
import { instanceLayout, type InstanceLayout } from '../support/mariadb.ts';
import { pacemakerEnv } from '../support/pacemaker-env.ts';
import { INSTALLED, ROOT } from '../support/paths.ts';
import { runAgent } from '../support/run-agent.ts';
import { ocfTester } from '../support/ocf-tester.ts';

// The Debian package for real: build/deb.sh builds it from this tree twice (this version and a lower
// one), apt-get installs the lower one, upgrades it under a running resource, and purges it.
//
// The machine is left as it was found. The other test files run the agents ./install.sh put at the
// same paths (/usr/lib/ocf/resource.d/tsha, /usr/lib/tsha): those folders, and the agents' V8 cache,
// are renamed aside first (same filesystem: the running test runtime keeps its file) so that the
// package installs on a machine without a clone install and its purge can be checked to leave nothing,
// then renamed back. One file at a time runs in this project (vitest.config.ts), so no other test sees
// the gap.

const exec = promisify(execFile);
const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const RUNTIME = '/usr/lib/tsha/node';
const CACHE = '/var/cache/tsha';
/** What install.sh writes here, and the package too. */
const INSTALL_SH_PATHS = [INSTALLED, '/usr/lib/tsha', CACHE];
const PREVIOUS = `${TSHA_VERSION}~previous`;
const AGENTS = readdirSync(join(ROOT, 'agents'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));

async function sh(file: string, args: string[], timeout = 120_000): Promise<{ code: number; out: string }> {
  try {
    const r = await exec(file, args, {
      timeout,
      maxBuffer: 64 * 1024 * 1024,
      env: { PATH: `${RUNTIME}/bin:${SYSTEM_PATH}`, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' },
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function ok(file: string, args: string[], timeout?: number): Promise<string> {
  const r = await sh(file, args, timeout);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.code}:\n${r.out.slice(-4000)}`);
  return r.out;
}

// What is on the machine outside the places that change by themselves (logs, apt's and dpkg's own
// records, caches of other programs, temporary files).
const LISTED = ['/usr', '/etc', '/var'];
const VOLATILE =
  /^\/var\/(log|tmp|lib\/apt|lib\/dpkg\/(?!info\/)|cache\/(apt|debconf|man|ldconfig)|lib\/(mysql|rabbitmq|systemd|ucf|dhcp|sgml-base|xml-core))(\/|$)/;
async function listing(): Promise<Set<string>> {
  // find's stdout even when it complains (a file of another program vanishing under it).
  const out = await exec('find', [...LISTED, '-xdev'], { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 }).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? '',
  );
  return new Set(out.split('\n').filter((p) => p && !VOLATILE.test(p)));
}

/** The parameter names an agent's meta-data declares. */
async function declared(agent: string): Promise<string[]> {
  const xml = await ok(join(INSTALLED, agent), ['meta-data']);
  return [...xml.matchAll(/<parameter name="([a-z0-9_]+)"/g)].map((m) => m[1]!);
}

/** Runs f over items, two at a time (two cores). */
async function twoAtATime<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i]!);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

describe('the Debian package (build/deb.sh), installed, upgraded and purged with apt-get', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsha-deb-'));
  chmodSync(dir, 0o755);
  const aside = join(dir, 'install-sh');
  const moved: [string, string][] = [];
  const deb = join(dir, `tsha_${TSHA_VERSION}_amd64.deb`);
  const previousDeb = join(dir, `tsha_${PREVIOUS}_amd64.deb`);
  let before: Set<string>;
  let layout: InstanceLayout;
  let lintian: Promise<{ code: number; out: string }> | undefined;
  const env = (extra: Record<string, string> = {}) =>
    // The system's cache folder, as Pacemaker's runs use it (the package's postrm must clean it).
    pacemakerEnv(layout.params, { OCF_RESOURCE_INSTANCE: 'tsha_db', TSHA_CACHE_DIR: '', ...extra });

  beforeAll(async () => {
    for (const tool of ['pcs', 'crm', 'ocf-tester', 'dpkg-deb', 'apt-get', 'lintian']) {
      if ((await sh('sh', ['-c', `command -v ${tool}`])).code !== 0) throw new Error(`${tool} is missing: test/run installs it`);
    }
    // Both packages ship the runtime install.sh fetched, so the package's files are install.sh's.
    const build = (extra: string[]) =>
      ok(join(ROOT, 'build/deb.sh'), ['--fast', '--prebuilt', '--runtime', RUNTIME, '--out', dir, ...extra], 300_000);
    await build([]);
    await build(['--version', PREVIOUS]);
    // lintian reads the finished package for ~40 s: it runs beside the install tests, its own test awaits it.
    lintian = sh('lintian', ['--fail-on', 'error,warning', deb], 180_000);
    layout = await instanceLayout();
    mkdirSync(aside);
    for (const path of INSTALL_SH_PATHS) {
      if (!existsSync(path)) continue;
      const to = join(aside, path.replaceAll('/', '_'));
      renameSync(path, to);
      moved.push([path, to]);
    }
    before = await listing();
  }, 600_000);

  afterAll(async () => {
    layout?.remove();
    if ((await sh('dpkg-query', ['-W', '-f=${Status}', 'tsha'])).out.includes('ok installed')) await sh('apt-get', ['purge', '-y', 'tsha']);
    for (const [path, to] of moved.reverse()) {
      rmSync(path, { recursive: true, force: true });
      renameSync(to, path);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 300_000);

  it('the previous version installs with apt-get on a machine without tsha', async () => {
    await ok('apt-get', ['install', '-y', previousDeb]);
    expect(await ok('dpkg-query', ['-W', '-f=${Version}', 'tsha'])).toBe(PREVIOUS);
    for (const agent of AGENTS) expect(existsSync(join(INSTALLED, agent))).toBe(true);
  });

  it('a resource started by the previous version is monitored and stopped by this one after apt-get upgrades it', async () => {
    const start = await runAgent('mysql', 'start', env(), join(INSTALLED, 'mysql'));
    expect(start.exitCode, start.stderr).toBe(OCF.SUCCESS);
    // The launcher keeps V8 code caches of the agent's code in /var/cache/tsha/agents (build/launcher.ts).
    const deep = await runAgent('mysql', 'monitor', env({ OCF_CHECK_LEVEL: '10' }), join(INSTALLED, 'mysql'));
    expect(deep.exitCode, deep.stderr).toBe(OCF.SUCCESS);
    expect(readdirSync(CACHE)).toContain('agents');

    await ok('apt-get', ['install', '-y', deb]);
    expect(await ok('dpkg-query', ['-W', '-f=${Version}', 'tsha'])).toBe(TSHA_VERSION);
    // The old bundles' cache went with them (postrm upgrade).
    expect(existsSync(CACHE)).toBe(false);
    for (const depth of ['0', '10']) {
      const r = await runAgent('mysql', 'monitor', env({ OCF_CHECK_LEVEL: depth }), join(INSTALLED, 'mysql'));
      expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
    }
    const stop = await runAgent('mysql', 'stop', env(), join(INSTALLED, 'mysql'));
    expect(stop.exitCode, stop.stderr).toBe(OCF.SUCCESS);
  });

  it('the packaged agents and runtime are byte for byte those install.sh installs', async () => {
    const saved = (path: string) => moved.find(([p]) => p === path)?.[1];
    const agentsAside = saved(INSTALLED);
    const homeAside = saved('/usr/lib/tsha');
    if (!agentsAside || !homeAside) throw new Error('install.sh had not installed tsha before this test: run test/run');
    for (const agent of AGENTS)
      expect(readFileSync(join(INSTALLED, agent)).equals(readFileSync(join(agentsAside, agent))), agent).toBe(true);
    expect(readFileSync(join(RUNTIME, 'bin/node')).equals(readFileSync(join(homeAside, 'node/bin/node')))).toBe(true);
  });

  it('every agent shows the package version in its meta-data', async () => {
    for (const agent of AGENTS) {
      const xml = await ok(join(INSTALLED, agent), ['meta-data']);
      expect(xml, agent).toContain(`<resource-agent name="${agent}" version="${TSHA_VERSION}">`);
    }
  });

  it('ocf-tester reports "passed all tests" for the packaged ocf:tsha:mysql', async () => {
    const r = await ocfTester(join(INSTALLED, 'mysql'), 'tsha_db', layout.params, {
      env: { PATH: `${RUNTIME}/bin:${SYSTEM_PATH}`, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' },
    });
    expect(r.out).toContain('passed all tests');
    expect(r.code).toBe(0);
  });

  it('crm ra info and pcs resource describe show every parameter of every agent', async () => {
    // crmsh makes its folders under $HOME on its first run, and two first runs at once race (one dies with
    // FileExistsError): on a fresh machine, one run alone first.
    await ok('crm', ['ra', 'info', `ocf:tsha:${AGENTS[0]}`]);
    const missing = await twoAtATime(AGENTS, async (agent) => {
      const names = await declared(agent);
      const crm = await ok('crm', ['ra', 'info', `ocf:tsha:${agent}`]);
      const pcs = await ok('pcs', ['resource', 'describe', `ocf:tsha:${agent}`]);
      const inCrm = new Set([...crm.matchAll(/^([a-z0-9_]+)\*? \(/gm)].map((m) => m[1]));
      const inPcs = new Set([...pcs.matchAll(/^ {2}([a-z0-9_]+)(?: \(required\))?:/gm)].map((m) => m[1]));
      return [
        ...names.filter((n) => !inCrm.has(n)).map((n) => `crm ${agent} ${n}`),
        ...names.filter((n) => !inPcs.has(n)).map((n) => `pcs ${agent} ${n}`),
      ];
    });
    expect(missing.flat()).toEqual([]);
  });

  it('apt-get purge leaves nothing behind', async () => {
    expect(existsSync(CACHE)).toBe(true);
    await ok('apt-get', ['purge', '-y', 'tsha']);
    const after = await listing();
    expect([...after].filter((p) => !before.has(p))).toEqual([]);
    expect([...before].filter((p) => !after.has(p))).toEqual([]);
  });

  // Last: lintian has been reading the package since beforeAll.
  it('lintian finds no error or warning (build/debian/lintian-overrides says why for each it overrides)', async () => {
    const r = await lintian!;
    expect(r.out.split('\n').filter((l) => /^[EW]: /.test(l))).toEqual([]);
    expect(r.code).toBe(0);
  });
});
