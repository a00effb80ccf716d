import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OCF } from '../../shared/ocf/exit-codes.ts';
import { isLive, readProcess } from '../../shared/process/proc.ts';
import { instanceLayout, sql, type InstanceLayout } from '../support/mariadb.ts';
import { pacemakerEnv, TEST_CACHE_DIR } from '../support/pacemaker-env.ts';
import { runAgent } from '../support/run-agent.ts';

const mysql = (action: string, params: Record<string, string>, extra: Record<string, string> = {}) =>
  runAgent('mysql', action, pacemakerEnv(params, extra));
const recurring = { OCF_RESKEY_CRM_meta_interval: '20000' };
const depth10 = { ...recurring, OCF_CHECK_LEVEL: '10' };

function serverPid(layout: InstanceLayout): number {
  return Number(readFileSync(layout.pid, 'utf8').trim());
}

/** Alive and not a zombie (a dead server may wait a while for init to reap it). */
function alive(pid: number): boolean {
  return isLive(readProcess(pid));
}

describe('ocf:tsha:mysql as a plain resource, against MariaDB from Debian', () => {
  let layout: InstanceLayout;

  beforeAll(async () => {
    layout = await instanceLayout();
  });
  afterAll(() => layout.remove());

  it('monitor on a stopped instance returns NOT_RUNNING', async () => {
    const r = await mysql('monitor', layout.params, recurring);
    expect(r.exitCode).toBe(OCF.NOT_RUNNING);
  });

  it('a probe on a stopped instance returns NOT_RUNNING without an exit reason', async () => {
    const r = await mysql('monitor', layout.params);
    expect(r.exitCode).toBe(OCF.NOT_RUNNING);
    expect(r.exitReason).toBeUndefined();
  });

  it('stop on a stopped instance returns SUCCESS', async () => {
    expect((await mysql('stop', layout.params)).exitCode).toBe(OCF.SUCCESS);
  });

  it('start returns SUCCESS once the server answers, and start again is idempotent', async () => {
    const first = await mysql('start', layout.params, { OCF_RESKEY_CRM_meta_timeout: '120000' });
    expect(first.exitCode, first.stderr).toBe(OCF.SUCCESS);
    const pid = serverPid(layout);
    expect(alive(pid)).toBe(true);
    const again = await mysql('start', layout.params);
    expect(again.exitCode).toBe(OCF.SUCCESS);
    expect(serverPid(layout)).toBe(pid);
  });

  it('the server runs as the mysql account, detached from the agent', () => {
    const pid = serverPid(layout);
    const uid = readProcess(pid)?.uid;
    expect(uid).toBeTypeOf('number');
    expect(uid).not.toBe(0);
    // It leads its own session: detached from the agent that started it.
    expect(readProcess(pid)?.session).toBe(pid);
  });

  it('monitor at depth 0 returns SUCCESS on a running server', async () => {
    expect((await mysql('monitor', layout.params, recurring)).exitCode).toBe(OCF.SUCCESS);
  });

  it('monitor at depth 10 runs the test query and returns SUCCESS', async () => {
    const r = await mysql('monitor', layout.params, depth10);
    expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
  });

  it("depth 10 runs its query through tsha's own client: no code cache of mysql2 is written", async () => {
    rmSync(TEST_CACHE_DIR, { recursive: true, force: true });
    expect((await mysql('monitor', layout.params, depth10)).exitCode).toBe(OCF.SUCCESS);
    const written = existsSync(TEST_CACHE_DIR) ? readdirSync(TEST_CACHE_DIR) : [];
    expect(written.filter((f) => f.startsWith('mysql2-'))).toEqual([]);
  });

  it('an account only mysql2 is asked to serve (ed25519) leaves a root-only V8 code cache of mysql2, and one others could have written is ignored', async () => {
    // mysql2 cannot authenticate ed25519 either, so each of these monitors fails the same way; what is
    // checked is the cache the deferred-module loader keeps of mysql2 once it was compiled.
    await sql(layout.socket, "INSTALL SONAME 'auth_ed25519'").catch(() => undefined);
    await sql(layout.socket, "CREATE USER IF NOT EXISTS 'tsha_ed'@'localhost' IDENTIFIED VIA ed25519 USING PASSWORD('x')");
    const params = { ...layout.params, test_user: 'tsha_ed', test_passwd: 'x' };
    rmSync(TEST_CACHE_DIR, { recursive: true, force: true });
    const first = await mysql('monitor', params, depth10);
    expect(first.exitCode).toBe(OCF.ERR_GENERIC);
    expect(first.exitReason).toContain('client_ed25519');
    const [file] = readdirSync(TEST_CACHE_DIR).filter((f) => f.startsWith('mysql2-'));
    expect(file).toMatch(/^mysql2-[0-9a-f]{16}-v\d+\.\d+\.\d+\.v8cache$/);
    expect(statSync(join(TEST_CACHE_DIR, file!)).mode & 0o777).toBe(0o600);
    expect(statSync(TEST_CACHE_DIR).mode & 0o777).toBe(0o700);
    // A cache anyone could have replaced is not loaded; the monitor behaves the same and writes a fresh one.
    writeFileSync(join(TEST_CACHE_DIR, file!), 'not a code cache');
    chmodSync(join(TEST_CACHE_DIR, file!), 0o666);
    expect((await mysql('monitor', params, depth10)).exitReason).toBe(first.exitReason);
    expect(statSync(join(TEST_CACHE_DIR, file!)).mode & 0o777).toBe(0o600);
    expect((await mysql('monitor', params, depth10)).exitReason).toBe(first.exitReason);
  });

  it('a probe on a running server returns SUCCESS', async () => {
    expect((await mysql('monitor', layout.params)).exitCode).toBe(OCF.SUCCESS);
  });

  it('monitor at depth 10 with a missing test_table fails with ERR_GENERIC naming the table', async () => {
    const r = await mysql('monitor', { ...layout.params, test_table: 'nosuch.table' }, depth10);
    expect(r.exitCode).toBe(OCF.ERR_GENERIC);
    expect(r.exitReason).toContain('nosuch.table');
  });

  it('a wrong test password fails depth 10 with a clear reason that never shows the password, while depth 0 passes', async () => {
    await sql(
      layout.socket,
      "CREATE USER IF NOT EXISTS 'tsha_probe'@'localhost' IDENTIFIED BY 'right-horse-battery'; GRANT SELECT ON mysql.* TO 'tsha_probe'@'localhost'",
    );
    const secret = 'Sup3r-s3cret-value';
    const logFile = join(layout.dir, 'agent.log');
    const debugLog = join(layout.dir, 'agent-debug.log');
    const extra = { ...depth10, HA_LOGFILE: logFile, HA_DEBUGLOG: debugLog, HA_debug: '1' };
    const r = await mysql('monitor', { ...layout.params, test_user: 'tsha_probe', test_passwd: secret }, extra);
    expect(r.exitCode).toBe(OCF.ERR_GENERIC);
    expect(r.exitReason).toMatch(/test_user tsha_probe was denied access/);
    for (const text of [r.stdout, r.stderr, readFileSync(logFile, 'utf8'), readFileSync(debugLog, 'utf8')]) {
      expect(text).not.toContain(secret);
    }
    const ok = await mysql('monitor', { ...layout.params, test_user: 'tsha_probe', test_passwd: 'right-horse-battery' }, depth10);
    expect(ok.exitCode, ok.stderr).toBe(OCF.SUCCESS);
    const shallow = await mysql('monitor', { ...layout.params, test_user: 'tsha_probe', test_passwd: secret }, recurring);
    expect(shallow.exitCode).toBe(OCF.SUCCESS);
  });

  it('monitor credentials come from client_option_file, so no password needs to live in the CIB', async () => {
    const file = join(layout.dir, 'monitor.cnf');
    writeFileSync(file, '[client]\nuser = tsha_probe\npassword = "right-horse-battery"\n', { mode: 0o600 });
    const r = await mysql('monitor', { ...layout.params, client_option_file: file }, depth10);
    expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
    writeFileSync(file, '[client]\nuser = tsha_probe\npassword = wrong-one\n');
    const bad = await mysql('monitor', { ...layout.params, client_option_file: file }, depth10);
    expect(bad.exitCode).toBe(OCF.ERR_GENERIC);
    expect(bad.exitReason).not.toContain('wrong-one');
  });

  it('a SIGSTOPped (hung) server fails monitor with ERR_GENERIC well inside the timeout, never NOT_RUNNING', async () => {
    const pid = serverPid(layout);
    process.kill(pid, 'SIGSTOP');
    try {
      for (const extra of [recurring, depth10, {}]) {
        const r = await mysql('monitor', layout.params, { ...extra, OCF_RESKEY_CRM_meta_timeout: '20000' });
        expect(r.exitCode).toBe(OCF.ERR_GENERIC);
        expect(r.exitReason).toMatch(/stopped|did not answer/);
      }
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect((await mysql('monitor', layout.params, recurring)).exitCode).toBe(OCF.SUCCESS);
  });

  it('stop shuts the server down cleanly and removes nothing it should not; stop again returns SUCCESS', async () => {
    const pid = serverPid(layout);
    const r = await mysql('stop', layout.params);
    expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
    expect(alive(pid)).toBe(false);
    expect((await mysql('stop', layout.params)).exitCode).toBe(OCF.SUCCESS);
    expect((await mysql('monitor', layout.params)).exitCode).toBe(OCF.NOT_RUNNING);
  });

  it('a SIGKILLed server is NOT_RUNNING on a probe and a failure on a recurring monitor; stop then start recover it', async () => {
    expect((await mysql('start', layout.params, { OCF_RESKEY_CRM_meta_timeout: '120000' })).exitCode).toBe(OCF.SUCCESS);
    const pid = serverPid(layout);
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    const probe = await mysql('monitor', layout.params);
    expect(probe.exitCode).toBe(OCF.NOT_RUNNING);
    const monitor = await mysql('monitor', layout.params, recurring);
    expect(monitor.exitCode).toBe(OCF.ERR_GENERIC);
    expect(monitor.exitReason).toMatch(/without a clean shutdown/);
    expect((await mysql('stop', layout.params)).exitCode).toBe(OCF.SUCCESS);
    expect(existsSync(layout.pid)).toBe(false);
    expect((await mysql('start', layout.params, { OCF_RESKEY_CRM_meta_timeout: '120000' })).exitCode).toBe(OCF.SUCCESS);
    expect((await mysql('stop', layout.params)).exitCode).toBe(OCF.SUCCESS);
  });
});

describe('ocf:tsha:mysql faults and bad input', () => {
  const layouts: InstanceLayout[] = [];
  const fresh = async (o?: Parameters<typeof instanceLayout>[0]) => {
    const l = await instanceLayout(o);
    layouts.push(l);
    return l;
  };
  afterEach(() => {
    for (const l of layouts.splice(0)) l.remove();
  });

  it('a stale pid file (its process gone) is NOT_RUNNING on a probe, and start replaces it', async () => {
    const l = await fresh();
    const dead = spawnSync('true').pid!;
    writeFileSync(l.pid, `${dead}\n`);
    expect((await mysql('monitor', l.params)).exitCode).toBe(OCF.NOT_RUNNING);
    const r = await mysql('start', l.params, { OCF_RESKEY_CRM_meta_timeout: '120000' });
    expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
    expect(serverPid(l)).not.toBe(dead);
    expect((await mysql('stop', l.params)).exitCode).toBe(OCF.SUCCESS);
  });

  it('a pid file naming another live process: monitor says NOT_RUNNING, stop leaves that process and its pid file alone', async () => {
    const l = await fresh();
    const other = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      writeFileSync(l.pid, `${other.pid}\n`);
      expect((await mysql('monitor', l.params)).exitCode).toBe(OCF.NOT_RUNNING);
      expect((await mysql('stop', l.params)).exitCode).toBe(OCF.SUCCESS);
      expect(alive(other.pid!)).toBe(true);
      expect(readFileSync(l.pid, 'utf8').trim()).toBe(String(other.pid));
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('start with enable_creation initialises an empty datadir', async () => {
    const l = await fresh({ empty: true });
    const r = await mysql('start', { ...l.params, enable_creation: 'true' }, { OCF_RESKEY_CRM_meta_timeout: '180000' });
    expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
    expect(existsSync(join(l.datadir, 'mysql'))).toBe(true);
    expect((await mysql('stop', l.params)).exitCode).toBe(OCF.SUCCESS);
  });

  it('start without enable_creation on an empty datadir returns ERR_INSTALLED', async () => {
    const l = await fresh({ empty: true });
    mkdirSync(l.datadir, { mode: 0o750 });
    spawnSync('chown', ['mysql:mysql', l.datadir]);
    const r = await mysql('start', l.params, {});
    expect(r.exitCode).toBe(OCF.ERR_INSTALLED);
    expect(r.exitReason).toMatch(/enable_creation/);
  });

  it('a start that mysqld cannot survive fails fast with the error log lines as exit reason', async () => {
    const l = await fresh();
    const r = await mysql('start', { ...l.params, additional_parameters: '--no-such-option=1' }, { OCF_RESKEY_CRM_meta_timeout: '120000' });
    expect(r.exitCode).toBe(OCF.ERR_GENERIC);
    expect(r.exitReason).toMatch(/exited during start/);
    expect(r.exitReason).toMatch(/no-such-option/);
  });

  it('a datadir the mysql user cannot write gives ERR_PERM from validate-all and start', async () => {
    const l = await fresh();
    chmodSync(l.datadir, 0o500);
    spawnSync('chown', ['root:root', l.datadir]);
    const v = await mysql('validate-all', l.params);
    expect(v.exitCode).toBe(OCF.ERR_PERM);
    expect(v.exitReason).toMatch(/datadir .* not writable by user mysql/);
    expect((await mysql('start', l.params)).exitCode).toBe(OCF.ERR_PERM);
  });

  it('validate-all passes for a good configuration', async () => {
    const l = await fresh();
    const r = await mysql('validate-all', l.params);
    expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
  });

  it.each([
    ['a missing binary', OCF.ERR_INSTALLED, { binary: '/nonexistent/mysqld' }, /binary \/nonexistent\/mysqld/],
    ['an unknown user', OCF.ERR_INSTALLED, { user: 'no_such_user_x' }, /user no_such_user_x does not exist/],
    ['an unknown group', OCF.ERR_INSTALLED, { group: 'no_such_group_x' }, /group no_such_group_x/],
    ['a missing config file', OCF.ERR_INSTALLED, { config: '/nonexistent/my.cnf' }, /config file/],
    ['max_slave_lag=abc', OCF.ERR_CONFIGURED, { max_slave_lag: 'abc' }, /max_slave_lag expects a number of seconds.*got "abc"/],
    ['enable_creation=maybe', OCF.ERR_CONFIGURED, { enable_creation: 'maybe' }, /enable_creation expects a boolean.*got "maybe"/],
    ['replication_port=70000', OCF.ERR_CONFIGURED, { replication_port: '70000' }, /replication_port/],
    ['test_table with SQL in it', OCF.ERR_CONFIGURED, { test_table: 'mysql.user; DROP TABLE x' }, /test_table/],
    ['a relative datadir', OCF.ERR_CONFIGURED, { datadir: 'var/lib/mysql' }, /datadir must be an absolute path/],
    ['unbalanced quotes in additional_parameters', OCF.ERR_CONFIGURED, { additional_parameters: '--x="y' }, /unbalanced/],
    ['a client_vip that is no IP address', OCF.ERR_CONFIGURED, { client_vip: 'db-vip' }, /client_vip must be an IP address/],
  ] as const)('validate-all with %s returns %i', async (_what, code, bad, reason) => {
    const l = await fresh();
    const r = await mysql('validate-all', { ...l.params, ...bad });
    expect(r.exitCode).toBe(code);
    expect(r.exitReason).toMatch(reason);
  });

  it('validate-all at check level 0 checks values only, so it passes on a node without the binary', async () => {
    const l = await fresh();
    const r = await mysql('validate-all', { ...l.params, binary: '/nonexistent/mysqld' }, { OCF_CHECK_LEVEL: '0' });
    expect(r.exitCode).toBe(OCF.SUCCESS);
  });

  it('a probe on a node where MySQL is not installed returns NOT_RUNNING', async () => {
    const r = await mysql('monitor', {
      binary: '/nonexistent/mysqld',
      config: '/nonexistent/my.cnf',
      pid: '/nonexistent/run/mysqld.pid',
      socket: '/nonexistent/run/mysqld.sock',
      datadir: '/nonexistent/data',
    });
    expect([OCF.NOT_RUNNING, OCF.ERR_INSTALLED]).toContain(r.exitCode);
  });

  it('stop proceeds when a monitoring-only parameter is invalid or its file is missing', async () => {
    const l = await fresh();
    expect((await mysql('start', l.params, { OCF_RESKEY_CRM_meta_timeout: '120000' })).exitCode).toBe(OCF.SUCCESS);
    const pid = serverPid(l);
    const r = await mysql('stop', {
      ...l.params,
      max_slave_lag: 'abc',
      client_option_file: '/nonexistent/creds.cnf',
      test_table: 'bad table',
    });
    expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
    expect(alive(pid)).toBe(false);
  });

  it('stop escalates to SIGKILL within its deadline when the clean shutdown does not finish', async () => {
    const l = await fresh();
    expect((await mysql('start', l.params, { OCF_RESKEY_CRM_meta_timeout: '120000' })).exitCode).toBe(OCF.SUCCESS);
    const pid = serverPid(l);
    // A table lock held by a client makes the shutdown wait; a 3 s stop budget forces SIGKILL.
    const holder = spawn(
      'mariadb',
      ['--no-defaults', `--socket=${l.socket}`, '-uroot', '-e', 'FLUSH TABLES WITH READ LOCK; SELECT SLEEP(600)'],
      { stdio: 'ignore' },
    );
    try {
      await new Promise((r) => setTimeout(r, 500));
      const r = await mysql('stop', l.params, { OCF_RESKEY_CRM_meta_timeout: '4000' });
      expect(r.exitCode, r.stderr).toBe(OCF.SUCCESS);
      expect(alive(pid)).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('an unknown action returns ERR_UNIMPLEMENTED, no action returns ERR_ARGS', async () => {
    expect((await mysql('frobnicate', {})).exitCode).toBe(OCF.ERR_UNIMPLEMENTED);
    expect((await mysql('', {})).exitCode).toBe(OCF.ERR_ARGS);
  });

  it('extra arguments after the action are ignored', async () => {
    const r = spawnSync(process.execPath, [join(process.cwd(), 'build/out/mysql'), 'meta-data', 'extra', 'args'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('<resource-agent name="mysql"');
  });
});
