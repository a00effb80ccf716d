// What an agent loads on its cheapest, most frequent paths: meta-data and the probe (a depth-0 monitor
// with no interval) of a stopped resource. They must not pay for mysql2 or amqplib (carried as deferred
// strings, build/deferred-module.cjs), node:tls (build/shims/lazy-tls.cjs) or node:child_process
// (shared/ocf/builtins.ts). The built bundles run as Pacemaker runs them, with a probe preloaded through
// NODE_OPTIONS=--require that reports at exit what the process loaded; the control tests show that the
// probe does see each of those when it is loaded.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCF } from '../../shared/ocf/exit-codes.ts';
import { instanceLayout, type InstanceLayout } from '../support/mariadb.ts';
import { BUILT, INSTALLED, ROOT } from '../support/paths.ts';
import { brokerLayout, type BrokerLayout } from '../support/rabbitmq.ts';
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

/** Which of mysql2, amqplib, tls, child_process a run loaded, by every sign the probe or the cache gives. */
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
  return [...found].sort();
}

const agentNames = readdirSync(join(ROOT, 'agents'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

describe('the installed agents (install.sh)', () => {
  it("an installed agent is a launcher whose code is compiled with Node's compile cache, kept in a root-only folder", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'tsha-compile-cache-'));
    try {
      for (let run = 0; run < 2; run++) {
        const r = await runAgent('galera', 'meta-data', pacemakerEnv({}, { TSHA_CACHE_DIR: cacheDir }), join(INSTALLED, 'galera'));
        expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
        expect(r.stdout).toContain('<resource-agent name="galera"');
      }
      expect(readFileSync(join(INSTALLED, 'galera'), 'utf8')).toContain("require('/usr/lib/tsha/agents/galera.cjs')");
      if (process.getuid?.() === 0) {
        const compile = join(cacheDir, 'compile');
        expect(statSync(compile).mode & 0o077).toBe(0);
        const versions = readdirSync(compile);
        expect(versions).toEqual([expect.stringMatching(/^v22\./)]);
        expect(readdirSync(join(compile, versions[0]!)).length).toBeGreaterThan(0);
      }
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('start-up of the built agents: the cheap paths load neither mysql2 nor amqplib nor tls nor child_process', () => {
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
    it('sees node:tls and node:child_process loaded by require and by process.getBuiltinModule', () => {
      const out = join(dir, 'control-builtins.json');
      const r = spawnSync(process.execPath, ['-e', "require('node:tls'); process.getBuiltinModule('node:child_process');"], {
        env: { PATH: '/usr/bin:/bin', NODE_OPTIONS: `--require ${probe}`, TSHA_PROBE_OUT: out },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
      expect(expensive(report)).toEqual(['node:child_process', 'node:tls']);
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
        expect(expensive(o.report, o.caches)).toContain('mysql2');
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

  it.each(agentNames)('%s meta-data loads neither mysql2 nor amqplib nor tls nor child_process', async (agent) => {
    const o = await observe(agent, 'meta-data', {});
    expect(o.result.exitCode, o.result.stderr).toBe(OCF.SUCCESS);
    expect(o.result.stdout).toContain('<resource-agent');
    expect(expensive(o.report, o.caches)).toEqual([]);
    // Written to a pipe, as Pacemaker reads it, straight to the descriptor: no stream, so no node:net.
    expect(o.report.builtins).not.toContain('net');
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

    it('mysql (a datadir with no server running) loads neither mysql2 nor amqplib nor tls nor child_process', async () => {
      const o = await observe('mysql', 'monitor', mysql.params);
      expect(o.result.exitCode, o.result.stderr).toBe(OCF.NOT_RUNNING);
      expect(expensive(o.report, o.caches)).toEqual([]);
    });

    it('rabbitmq loads neither mysql2 nor amqplib nor tls nor child_process', async () => {
      const o = await observe('rabbitmq', 'monitor', broker.params);
      expect(o.result.exitCode, o.result.stderr).toBe(OCF.NOT_RUNNING);
      expect(expensive(o.report, o.caches)).toEqual([]);
    });

    it.each(['keystone', 'nova-scheduler'])('%s loads neither mysql2 nor amqplib nor tls nor child_process', async (agent) => {
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
