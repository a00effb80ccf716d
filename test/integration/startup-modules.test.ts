// What an agent loads on its cheapest, most frequent paths: meta-data and the probe (a depth-0 monitor
// with no interval) of a stopped resource. They must not pay for mysql2 or amqplib (carried as deferred
// strings, build/deferred-module.cjs; mysql2 compressed, so node:zlib only with it), node:tls
// (build/shims/lazy-tls.cjs), node:child_process (shared/ocf/builtins.ts) or node:tty (shared/ocf/stdio.ts). The built bundles run as Pacemaker runs them, with a probe preloaded through
// NODE_OPTIONS=--require that reports at exit what the process loaded; the control tests show that the
// probe does see each of those when it is loaded.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCF } from '../../shared/ocf/exit-codes.ts';
import { instanceLayout, type InstanceLayout } from '../support/mariadb.ts';
import { BUILT, INSTALLED, ROOT } from '../support/paths.ts';
import { brokerLayout, type BrokerLayout } from '../support/rabbitmq.ts';
import { writeLauncher } from '../support/launcher.ts';
import { pacemakerEnv } from '../support/pacemaker-env.ts';
import { runAgent, type AgentResult } from '../support/run-agent.ts';

const DEFERRED = ['mysql2', 'amqplib'] as const;

/**
 * Preloaded into the agent. Builtins: process.moduleLoadList names every built-in module compiled in
 * this process ("NativeModule tls"), however it was reached (require, import, process.getBuiltinModule).
 * Deferred modules: deferred-module.cjs compiles each with `new vm.Script(code, { filename: '<name>.js' })`,
 * so vm's compile entry points are wrapped and record the filename and library fingerprints in the code.
 * Module.prototype._compile and Module._load catch mysql2 or amqplib loaded from node_modules or by name,
 * should they ever stop being deferred strings. The report is written after every 'exit' listener ran.
 */
const PROBE = String.raw`'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const vm = require('node:vm');
const out = process.env.TSHA_PROBE_OUT;
const seen = { scripts: [], compiled: [], required: [] };
const FINGERPRINTS = { mysql2: 'caching_sha2_password', amqplib: 'AMQPLAIN' };
function vmCompile(how, code, filename) {
  const text = String(code);
  const markers = Object.keys(FINGERPRINTS).filter((k) => text.includes(FINGERPRINTS[k]));
  seen.scripts.push({ how, filename: filename === undefined ? null : String(filename), markers });
}
const filenameOf = (o) => (typeof o === 'string' ? o : o && o.filename);
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(code, options) {
    super(code, options);
    vmCompile('Script', code, filenameOf(options));
  }
};
for (const [name, at] of [['compileFunction', 2], ['runInThisContext', 0], ['runInNewContext', 1], ['runInContext', 1]]) {
  const original = vm[name];
  vm[name] = function (code, ...rest) {
    vmCompile(name, code, filenameOf(rest[at]));
    return original.call(this, code, ...rest);
  };
}
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename, ...rest) {
  seen.compiled.push(filename);
  return compile.call(this, content, filename, ...rest);
};
const load = Module._load;
Module._load = function (request, ...rest) {
  if (!seen.required.includes(request)) seen.required.push(request);
  return load.call(this, request, ...rest);
};
function write() {
  if (!out) return;
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  fs.writeFileSync(out, JSON.stringify({ pid: process.pid, builtins, ...seen }));
}
process.on('exit', write);
const emit = process.emit;
process.emit = function (event, ...args) {
  const result = emit.call(this, event, ...args);
  if (event === 'exit') write();
  return result;
};
`;

interface Report {
  readonly pid: number;
  readonly builtins: string[];
  readonly scripts: { how: string; filename: string | null; markers: string[] }[];
  readonly compiled: string[];
  readonly required: string[];
}

interface Observed {
  readonly result: AgentResult;
  readonly report: Report;
  /** V8 code caches the deferred loader left in the run's own, empty TSHA_CACHE_DIR (as root). */
  readonly caches: string[];
}

/** Which of mysql2, amqplib, tls, child_process, tty, zlib, http a run loaded, by every sign the probe or the cache gives. */
function expensive(report: Report, caches: readonly string[] = []): string[] {
  const found = new Set<string>();
  for (const s of report.scripts) {
    for (const m of s.markers) found.add(m);
    const name = s.filename?.replace(/\.js$/, '');
    if (name !== undefined && (DEFERRED as readonly string[]).includes(name)) found.add(name);
  }
  for (const f of report.compiled) {
    const m = /node_modules\/(mysql2|amqplib)\//.exec(f);
    if (m) found.add(m[1]!);
  }
  for (const r of report.required) {
    const m = /^(mysql2|amqplib)(\/|$)/.exec(r);
    if (m) found.add(m[1]!);
  }
  for (const c of caches) {
    const m = /^(mysql2|amqplib)-/.exec(c);
    if (m) found.add(m[1]!);
  }
  const b = new Set(report.builtins);
  if (b.has('tls') || b.has('_tls_wrap')) found.add('node:tls');
  if (b.has('child_process') || b.has('internal/child_process')) found.add('node:child_process');
  if (b.has('tty')) found.add('node:tty');
  if (b.has('zlib')) found.add('node:zlib');
  if (b.has('http') || b.has('_http_client')) found.add('node:http');
  return [...found].sort();
}

const agentNames = readdirSync(join(ROOT, 'agents'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

describe('the installed agents (install.sh): a launcher with a V8 code cache per action', () => {
  const root = process.getuid?.() === 0;
  let cacheDir: string;
  beforeAll(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'tsha-launch-cache-'));
  });
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
  const caches = () => (existsSync(join(cacheDir, 'agents')) ? readdirSync(join(cacheDir, 'agents')).sort() : []);

  it('an installed agent is a launcher of /usr/lib/tsha/agents/<agent>.cjs, and answers as the bundle does', async () => {
    expect(readFileSync(join(INSTALLED, 'galera'), 'utf8')).toContain('var BODY = "/usr/lib/tsha/agents/galera.cjs";');
    const r = await runAgent('galera', 'meta-data', pacemakerEnv({}, { TSHA_CACHE_DIR: cacheDir }), join(INSTALLED, 'galera'));
    expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
    const bundle = await runAgent('galera', 'meta-data', pacemakerEnv({}));
    expect(r.stdout).toBe(bundle.stdout);
  });

  // Pacemaker sends OCF_RA_VERSION_MAJOR/MINOR (1/1 since 2.1); ocf-tester and older callers send none.
  const pacemakers = [{}, { OCF_RA_VERSION_MAJOR: '1', OCF_RA_VERSION_MINOR: '1' }];
  it.each(agentNames)(
    '%s: the installed launcher answers meta-data byte for byte as the bundle, for OCF 1.0 and 1.1 callers',
    async (agent) => {
      for (const version of pacemakers) {
        const env = pacemakerEnv({}, { TSHA_CACHE_DIR: cacheDir, ...version });
        const [r, bundle] = await Promise.all([
          runAgent(agent, 'meta-data', env, join(INSTALLED, agent)),
          runAgent(agent, 'meta-data', env),
        ]);
        expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
        expect(r.stdout).toBe(bundle.stdout);
      }
    },
  );

  it('meta-data follows the OCF version however a caller writes it, as the bundle does', async () => {
    const forms: Record<string, string>[] = [
      { OCF_RA_VERSION_MAJOR: '1', OCF_RA_VERSION_MINOR: '0' },
      { OCF_RA_VERSION_MAJOR: '2' },
      { OCF_RA_VERSION_MAJOR: ' 1 ', OCF_RA_VERSION_MINOR: '01' },
      { OCF_RA_VERSION_MAJOR: '', OCF_RA_VERSION_MINOR: '1' },
      { OCF_RA_VERSION_MAJOR: '0', OCF_RA_VERSION_MINOR: '9' },
      // Forms not written as plain digits: the launcher reads them with the agent's own function.
      { OCF_RA_VERSION_MAJOR: '1.1' },
      { OCF_RA_VERSION_MAJOR: '1', OCF_RA_VERSION_MINOR: 'x' },
      { OCF_RA_VERSION_MAJOR: 'one' },
    ];
    const seen = new Set<string>();
    for (const form of forms) {
      const env = pacemakerEnv({}, { TSHA_CACHE_DIR: cacheDir, ...form });
      const [r, bundle] = await Promise.all([
        runAgent('mysql', 'meta-data', env, join(INSTALLED, 'mysql')),
        runAgent('mysql', 'meta-data', env),
      ]);
      expect(r.exitCode, `${JSON.stringify(form)}: ${r.stderr}`).toBe(OCF.SUCCESS);
      expect(r.stdout, JSON.stringify(form)).toBe(bundle.stdout);
      seen.add(r.stdout);
    }
    expect(seen.size).toBe(2); // both versions were among them
  });

  it.runIf(root)(
    'as root, each action gets its own cache, in a folder only root can enter, and the next run reads it unchanged',
    async () => {
      const env = pacemakerEnv({}, { TSHA_CACHE_DIR: cacheDir });
      for (const action of ['help', 'usage']) {
        const r = await runAgent('galera', action, env, join(INSTALLED, 'galera'));
        expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
      }
      expect(statSync(join(cacheDir, 'agents')).mode & 0o077).toBe(0);
      const files = caches().filter((f) => f.startsWith('galera.'));
      expect(files).toEqual([
        expect.stringMatching(/^galera\.help\.\d+-\d+-\d+\.v22\.[\d.]+\.v8cache$/),
        expect.stringMatching(/^galera\.usage\.\d+-\d+-\d+\.v22\.[\d.]+\.v8cache$/),
      ]);
      const file = join(cacheDir, 'agents', files[0]!);
      expect(statSync(file).mode & 0o077).toBe(0);
      const before = statSync(file);
      const again = await runAgent('galera', 'help', env, join(INSTALLED, 'galera'));
      expect(again.exitCode, again.stderr).toBe(OCF.SUCCESS);
      const after = statSync(file);
      expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    },
  );

  describe('a bundle behind its own launcher', () => {
    let dir: string;
    let launcher: string;
    let body: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'tsha-launch-'));
      chmodSync(dir, 0o755); // the non-root run below reads it
      body = join(dir, 'rabbitmq.cjs');
      // As install_agents installs it: the bundle without its shebang.
      writeFileSync(body, readFileSync(join(BUILT, 'rabbitmq'), 'utf8').split('\n').slice(1).join('\n'));
      launcher = writeLauncher('rabbitmq', body, join(dir, 'rabbitmq'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    // usage, not meta-data: the launcher answers meta-data itself, without the bundle or a cache.
    const usage = () => runAgent('rabbitmq', 'usage', pacemakerEnv({}, { TSHA_CACHE_DIR: cacheDir }), launcher);
    const mine = () => caches().filter((f) => f.startsWith('rabbitmq.usage.'));

    it.runIf(root)('a rewritten bundle never meets the cache of the one before: its cache has another name', async () => {
      expect((await usage()).exitCode).toBe(OCF.SUCCESS);
      const first = mine();
      expect(first).toHaveLength(1);
      // Same length, same text, a new file: V8 alone would take the old cache (it checks the length only).
      const text = readFileSync(body);
      rmSync(body);
      writeFileSync(body, text);
      const r = await usage();
      expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
      expect(mine()).toHaveLength(2);
    });

    it.runIf(root)('a cache that others could have written is not read, and is replaced by a root-only one', async () => {
      expect((await usage()).exitCode).toBe(OCF.SUCCESS);
      const file = join(cacheDir, 'agents', mine().at(-1)!);
      // Garbage that V8 would reject anyway; what is checked is that the launcher never hands it over.
      writeFileSync(file, 'not a cache');
      chmodSync(file, 0o666);
      const r = await usage();
      expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
      expect(r.stdout).toContain('usage: rabbitmq {');
      expect(statSync(file).mode & 0o077).toBe(0);
      expect(readFileSync(file).length).toBeGreaterThan(1000);
    });

    it.runIf(root)('a cache V8 rejects (corrupt) costs a compile and is written afresh', async () => {
      const file = join(cacheDir, 'agents', mine().at(-1)!);
      writeFileSync(file, Buffer.alloc(4096, 7), { mode: 0o600 });
      const r = await usage();
      expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
      expect(r.stdout).toContain('usage: rabbitmq {');
      expect(readFileSync(file).equals(Buffer.alloc(4096, 7))).toBe(false);
    });

    it('a launcher whose bundle is gone says so and returns ERR_INSTALLED, with no stack', async () => {
      const orphan = writeLauncher('rabbitmq', join(dir, 'gone.cjs'), join(dir, 'orphan'));
      const r = await runAgent('rabbitmq', 'monitor', pacemakerEnv({}, { TSHA_CACHE_DIR: cacheDir }), orphan);
      expect(r.exitCode).toBe(OCF.ERR_INSTALLED);
      expect(r.stderr.trim()).toBe(`ocf-exit-reason:cannot read ${join(dir, 'gone.cjs')} (ENOENT): reinstall tsha`);
    });

    it('meta-data reads neither the bundle nor a cache: a launcher whose bundle is gone still answers it', async () => {
      const before = caches();
      const orphan = writeLauncher('rabbitmq', join(dir, 'gone.cjs'), join(dir, 'orphan-meta'));
      const r = await runAgent('rabbitmq', 'meta-data', pacemakerEnv({}, { TSHA_CACHE_DIR: cacheDir }), orphan);
      expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
      expect(r.stdout).toBe((await runAgent('rabbitmq', 'meta-data', pacemakerEnv({}))).stdout);
      expect(caches()).toEqual(before);
    });

    it('the plain template (a build without launchers of its own) hands meta-data to the bundle', async () => {
      const plain = writeLauncher('rabbitmq', join(dir, 'gone.cjs'), join(dir, 'plain'), join(BUILT, 'launcher.cjs'));
      const r = await runAgent('rabbitmq', 'meta-data', pacemakerEnv({}, { TSHA_CACHE_DIR: cacheDir }), plain);
      expect(r.exitCode).toBe(OCF.ERR_INSTALLED);
      const m = await runAgent(
        'rabbitmq',
        'meta-data',
        pacemakerEnv({}, { TSHA_CACHE_DIR: cacheDir }),
        writeLauncher('rabbitmq', body, join(dir, 'plain'), join(BUILT, 'launcher.cjs')),
      );
      expect(m.exitCode, m.stderr).toBe(OCF.SUCCESS);
      expect(m.stdout).toContain('<resource-agent name="rabbitmq"');
    });

    it.runIf(root)('a monitor depth that is not a number never reaches the cache file name', async () => {
      const r = await runAgent(
        'rabbitmq',
        'meta-data',
        pacemakerEnv({}, { TSHA_CACHE_DIR: cacheDir, OCF_CHECK_LEVEL: '../../x' }),
        launcher,
      );
      expect(r.exitCode).toBe(OCF.SUCCESS);
      const m = await runAgent('rabbitmq', 'monitor', pacemakerEnv({}, { TSHA_CACHE_DIR: cacheDir, OCF_CHECK_LEVEL: '../../x' }), launcher);
      expect(m.exitCode).not.toBe(OCF.SUCCESS); // no broker here: what matters is where the cache went
      expect(caches().filter((f) => f.startsWith('rabbitmq.monitor'))).toEqual([expect.stringMatching(/^rabbitmq\.monitor0\./)]);
      expect(existsSync(join(cacheDir, 'x'))).toBe(false);
    });

    it('run by someone other than root, the launcher neither reads nor writes a cache', async () => {
      const before = caches();
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', launcher, 'usage'], {
        env: { PATH: '/usr/bin:/bin', TSHA_CACHE_DIR: cacheDir },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('usage: rabbitmq {');
      expect(caches()).toEqual(before);
    });
  });
});

describe('start-up of the built agents: the cheap paths load none of mysql2, amqplib, tls, child_process, tty, zlib, http', () => {
  let dir: string;
  let probe: string;
  let runs = 0;

  /** Runs a built agent as Pacemaker does (tsha's Node, minimal environment), with the probe preloaded. */
  async function observe(
    agent: string,
    action: string,
    params: Record<string, string>,
    extra: Record<string, string> = {},
  ): Promise<Observed> {
    const n = ++runs;
    const out = join(dir, `report-${n}.json`);
    const cacheDir = join(dir, `cache-${n}`);
    const result = await runAgent(
      agent,
      action,
      pacemakerEnv(params, {
        OCF_RESOURCE_TYPE: agent,
        OCF_RESOURCE_INSTANCE: agent,
        // As pacemaker-execd passes it: a line logged would go to syslog through `logger`.
        HA_LOGFACILITY: 'daemon',
        ...extra,
        TSHA_CACHE_DIR: cacheDir,
        NODE_OPTIONS: `--require ${probe}`,
        TSHA_PROBE_OUT: out,
      }),
    );
    if (!existsSync(out)) throw new Error(`the probe wrote no report for ${agent} ${action} (exit ${result.exitCode}): ${result.stderr}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    // The probe ran inside the agent itself: it saw the bundle compiled.
    expect(report.compiled).toContain(join(BUILT, agent));
    return { result, report, caches: existsSync(cacheDir) ? readdirSync(cacheDir) : [] };
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsha-startup-'));
    probe = join(dir, 'probe.cjs');
    writeFileSync(probe, PROBE);
    for (const name of agentNames) {
      if (!existsSync(join(BUILT, name))) throw new Error(`${join(BUILT, name)} is missing: run npm run build`);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('controls: the probe sees each of them when a process does load it', () => {
    it('sees node:tls, node:tty, node:zlib and node:child_process loaded by require and by process.getBuiltinModule', () => {
      const out = join(dir, 'control-builtins.json');
      const code =
        "require('node:tls'); require('node:zlib'); require('node:http'); process.getBuiltinModule('node:child_process'); process.getBuiltinModule('node:tty');";
      const r = spawnSync(process.execPath, ['-e', code], {
        env: { PATH: '/usr/bin:/bin', NODE_OPTIONS: `--require ${probe}`, TSHA_PROBE_OUT: out },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
      expect(expensive(report)).toEqual(['node:child_process', 'node:http', 'node:tls', 'node:tty', 'node:zlib']);
    });

    it('sees none of them in a bare node -e 0', () => {
      const out = join(dir, 'control-bare.json');
      const r = spawnSync(process.execPath, ['-e', '0'], {
        env: { PATH: '/usr/bin:/bin', NODE_OPTIONS: `--require ${probe}`, TSHA_PROBE_OUT: out },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      expect(expensive(JSON.parse(readFileSync(out, 'utf8')) as Report)).toEqual([]);
    });

    describe('a depth-10 mysql monitor against a stand-in server that greets', () => {
      // A "server" that passes the agent's identity check (binary names the process) and greets on the
      // socket like MariaDB, so that the monitor goes on to its SQL session. After the client's answer it
      // either denies the account (tsha's own client handles that alone) or asks for another
      // authentication method (caching_sha2_password), which sends the agent to mysql2.
      let sleeper: ChildProcess;
      let server: Server;
      let params: Record<string, string>;
      let mode: 'deny' | 'other-method' = 'deny';

      beforeAll(async () => {
        const sleep = ['/usr/bin/sleep', '/bin/sleep'].find(existsSync)!;
        const home = join(dir, 'standin');
        mkdirSync(home);
        sleeper = spawn(sleep, ['300'], { stdio: 'ignore' });
        writeFileSync(join(home, 'mysqld.pid'), `${sleeper.pid}\n`);
        writeFileSync(join(home, 'my.cnf'), '[mysqld]\n');
        server = createServer((socket) => {
          let answers = 0;
          socket.on('error', () => {});
          socket.on('data', () => {
            if (answers++ > 0) socket.destroy();
            else if (mode === 'deny')
              socket.end(packet(Buffer.concat([Buffer.from([0xff, 0x15, 0x04]), Buffer.from("#28000Access denied for user 'root'")]), 2));
            else
              socket.write(packet(Buffer.concat([Buffer.from([0xfe]), Buffer.from('caching_sha2_password\0ABCDEFGHIJKLMNOPQRST\0')]), 2));
          });
          socket.write(handshake());
        });
        await new Promise<void>((resolve) => server.listen(join(home, 'mysqld.sock'), resolve));
        params = {
          binary: sleep,
          config: join(home, 'my.cnf'),
          datadir: join(home, 'data'),
          socket: join(home, 'mysqld.sock'),
          pid: join(home, 'mysqld.pid'),
          log: join(home, 'error.log'),
        };
      });
      afterAll(async () => {
        sleeper.kill('SIGKILL');
        await new Promise((resolve) => server.close(resolve));
      });

      it("an account the server answers itself goes through tsha's own client: mysql2 is never compiled", async () => {
        mode = 'deny';
        const o = await observe('mysql', 'monitor', params, { OCF_RESKEY_CRM_meta_interval: '60000', OCF_CHECK_LEVEL: '10' });
        expect(o.result.exitCode, o.result.stderr).toBe(OCF.ERR_GENERIC);
        expect(o.result.stderr).toContain('was denied access');
        // node:child_process is the failure's syslog line (logger); mysql2 is what this is about.
        expect(expensive(o.report, o.caches)).not.toContain('mysql2');
      });

      it('an account with another method sees mysql2 compiled by the deferred-module loader (and, as root, its code cache written)', async () => {
        mode = 'other-method';
        const o = await observe('mysql', 'monitor', params, { OCF_RESKEY_CRM_meta_interval: '60000', OCF_CHECK_LEVEL: '10' });
        expect(o.result.exitCode, o.result.stderr).toBe(OCF.ERR_GENERIC);
        expect(o.report.scripts).toContainEqual({ how: 'Script', filename: 'mysql2.js', markers: ['mysql2'] });
        if (process.getuid?.() === 0) expect(o.caches).toContainEqual(expect.stringMatching(/^mysql2-[0-9a-f]{16}-v[\d.]+\.v8cache$/));
        // mysql2 travels brotli-compressed (build/bundle.mjs): node:zlib comes with it, and only with it.
        expect(expensive(o.report, o.caches)).toEqual(expect.arrayContaining(['mysql2', 'node:zlib']));
      });
    });
  });

  describe('a depth-10 monitor of a running MariaDB (root over its socket, as the seed configures it)', () => {
    let server: InstanceLayout;
    beforeAll(async () => {
      server = await instanceLayout();
      const started = await runAgent('mysql', 'start', pacemakerEnv(server.params));
      expect(started.exitCode, started.stderr).toBe(OCF.SUCCESS);
    });
    afterAll(async () => {
      if (server) await runAgent('mysql', 'stop', pacemakerEnv(server.params));
      server?.remove();
    });

    it("runs its test query through tsha's own client: mysql2 is never compiled", async () => {
      const o = await observe('mysql', 'monitor', server.params, { OCF_RESKEY_CRM_meta_interval: '60000', OCF_CHECK_LEVEL: '10' });
      expect(o.result.exitCode, o.result.stderr).toBe(OCF.SUCCESS);
      expect(expensive(o.report, o.caches)).toEqual([]);
    });
  });

  it.each(agentNames)('%s meta-data loads none of mysql2, amqplib, tls, child_process, tty, zlib, http', async (agent) => {
    const o = await observe(agent, 'meta-data', {});
    expect(o.result.exitCode, o.result.stderr).toBe(OCF.SUCCESS);
    expect(o.result.stdout).toContain('<resource-agent');
    expect(expensive(o.report, o.caches)).toEqual([]);
    // Written to a pipe, as Pacemaker reads it, straight to the descriptor: no stream, so no node:net.
    expect(o.report.builtins).not.toContain('net');
  });

  describe('the depth-0 monitor of an API service that answers (a stand-in process and endpoint)', () => {
    let sleeper: ChildProcess;
    let server: Server;
    let params: Record<string, string>;
    beforeAll(async () => {
      const sleep = ['/usr/bin/sleep', '/bin/sleep'].find(existsSync)!;
      sleeper = spawn(sleep, ['300'], { stdio: 'ignore' });
      writeFileSync(join(dir, 'api.pid'), `${sleeper.pid}\n`);
      server = createServer((socket) => {
        socket.on('error', () => undefined);
        socket.once('data', () => socket.end('HTTP/1.1 300 Multiple Choices\r\nContent-Length: 0\r\n\r\n'));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as import('node:net').AddressInfo;
      params = { binary: sleep, pid: join(dir, 'api.pid'), url: `http://127.0.0.1:${port}/` };
    });
    afterAll(async () => {
      sleeper.kill('SIGKILL');
      await new Promise((resolve) => server.close(resolve));
    });

    it.each(['glance-api', 'nova-api'])('%s reads the status line over node:net: node:http is never loaded', async (agent) => {
      const o = await observe(agent, 'monitor', params, { OCF_RESKEY_CRM_meta_interval: '10000' });
      expect(o.result.exitCode, o.result.stderr).toBe(OCF.SUCCESS);
      expect(expensive(o.report, o.caches)).toEqual([]);
      expect(o.report.builtins).toContain('net');
    });
  });

  describe('the probe (depth-0 monitor, no interval) of a stopped resource', () => {
    let mysql: InstanceLayout;
    let broker: BrokerLayout;
    beforeAll(async () => {
      mysql = await instanceLayout({ empty: true });
      broker = await brokerLayout();
    });
    afterAll(() => {
      mysql?.remove();
      broker?.remove();
    });

    it('mysql (a datadir with no server running) loads none of mysql2, amqplib, tls, child_process, tty, zlib, http', async () => {
      const o = await observe('mysql', 'monitor', mysql.params);
      expect(o.result.exitCode, o.result.stderr).toBe(OCF.NOT_RUNNING);
      expect(expensive(o.report, o.caches)).toEqual([]);
    });

    it('rabbitmq loads none of mysql2, amqplib, tls, child_process, tty, zlib, http', async () => {
      const o = await observe('rabbitmq', 'monitor', broker.params);
      expect(o.result.exitCode, o.result.stderr).toBe(OCF.NOT_RUNNING);
      expect(expensive(o.report, o.caches)).toEqual([]);
    });

    it.each(['keystone', 'nova-scheduler'])('%s loads none of mysql2, amqplib, tls, child_process, tty, zlib, http', async (agent) => {
      const o = await observe(agent, 'monitor', { pid: join(dir, `${agent}.pid`), log: join(dir, `${agent}.log`) });
      expect(o.result.exitCode, o.result.stderr).toBe(OCF.NOT_RUNNING);
      expect(expensive(o.report, o.caches)).toEqual([]);
    });
  });
});

/** A MariaDB-style protocol-10 handshake packet (sequence 0), as a server sends it on connect. */
/** A MySQL packet: 3-byte length, sequence id, payload. */
function packet(payload: Buffer, sequence: number): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = sequence;
  return Buffer.concat([header, payload]);
}

function handshake(): Buffer {
  const payload = Buffer.concat([
    Buffer.from([10]),
    Buffer.from('5.5.5-10.11.6-MariaDB-standin\0', 'latin1'),
    Buffer.from([1, 0, 0, 0]), // connection id
    Buffer.from('abcdefgh', 'latin1'), // auth-plugin-data part 1
    Buffer.from([0]),
    Buffer.from([0xff, 0xf7]), // capabilities, low 16 bits
    Buffer.from([0x21]), // utf8_general_ci
    Buffer.from([0x02, 0x00]), // status: autocommit
    Buffer.from([0xff, 0x81]), // capabilities, high 16 bits (plugin auth, ...)
    Buffer.from([21]), // auth-plugin-data length
    Buffer.alloc(10),
    Buffer.from('ijklmnopqrst\0', 'latin1'), // auth-plugin-data part 2
    Buffer.from('mysql_native_password\0', 'latin1'),
  ]);
  return packet(payload, 0);
}
