/**
 * A real Pacemaker + Corosync cluster on one machine: one node per set of network, mount, UTS and PID
 * namespaces, joined by a bridge in a namespace of its own. Nothing is configured in the host's
 * network namespace and the host's mount table is never changed.
 */
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isLive, readProcess } from '../../shared/process/proc.ts';
import { installLabPrograms, startFenceSupervisor, stopFenceSupervisor } from './fencing.ts';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));

export interface LabOptions {
  /** 2 or 3. */
  readonly nodes: number;
  /** Names every namespace and the state folder. */
  readonly prefix?: string;
  /** The first three octets of the lab /24 (inside the lab namespaces only). */
  readonly subnet?: string;
  /** corosync totem token, ms. */
  readonly tokenMs?: number;
  /** Pacemaker dc-deadtime seeded into the CIB. */
  readonly dcDeadtime?: string;
  readonly stonith?: boolean;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

async function sh(file: string, args: readonly string[], timeoutMs = 30_000, env: Record<string, string> = {}): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(file, args, {
      timeout: timeoutMs,
      env: { PATH: SYSTEM_PATH, LANG: 'C.UTF-8', ...env },
      maxBuffer: 16 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : 124, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

async function must(file: string, args: readonly string[], timeoutMs = 30_000): Promise<string> {
  const r = await sh(file, args, timeoutMs);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** TSHA_LAB_PROFILE=FILE: every lab wait, appended with its duration, to see where a lab run's time goes. */
export function profile(what: string, startedMs: number): void {
  const file = process.env.TSHA_LAB_PROFILE;
  if (!file) return;
  appendFileSync(file, `${new Date(startedMs).toISOString().slice(11, 19)}\t${((Date.now() - startedMs) / 1000).toFixed(2)}\t${what}\n`);
}

export function sleep(ms: number): Promise<void> {
  const started = Date.now();
  return new Promise((resolve) => setTimeout(resolve, ms)).then(() => {
    if (ms >= 1000) profile(`sleep ${ms} ms`, started);
  });
}

export class Lab {
  readonly prefix: string;
  readonly dir: string;
  readonly subnet: string;
  readonly names: readonly string[];
  readonly tokenMs: number;
  readonly dcDeadtime: string;
  readonly stonith: boolean;

  constructor(o: LabOptions) {
    if (o.nodes < 2 || o.nodes > 3) throw new Error('a lab has 2 or 3 nodes');
    this.prefix = o.prefix ?? process.env.TSHA_LAB_PREFIX ?? 'tshalab';
    this.dir = join('/tmp', this.prefix);
    this.subnet = o.subnet ?? process.env.TSHA_LAB_SUBNET ?? '192.168.213';
    this.names = Array.from({ length: o.nodes }, (_, i) => `n${i + 1}`);
    this.tokenMs = o.tokenMs ?? 1000;
    this.dcDeadtime = o.dcDeadtime ?? '2s';
    this.stonith = o.stonith ?? true;
  }

  /** A lab already up (say, left by `--keep`), rebuilt from its state folder. */
  static attach(prefix = process.env.TSHA_LAB_PREFIX ?? 'tshalab'): Lab {
    const saved = JSON.parse(readFileSync(join('/tmp', prefix, 'lab.json'), 'utf8')) as LabOptions;
    return new Lab({ ...saved, prefix });
  }

  ns(name: string): string {
    return `${this.prefix}-${name}`;
  }
  address(node: string): string {
    return `${this.subnet}.${10 + Number(node.slice(1))}`;
  }
  get vip(): string {
    return `${this.subnet}.100`;
  }
  get clientAddress(): string {
    return `${this.subnet}.250`;
  }
  get sharedDir(): string {
    return join(this.dir, 'shared');
  }
  nodeDir(node: string): string {
    return join(this.dir, node);
  }

  /** Host pid of the node's PID 1, or undefined when the node is down. */
  pid1(node: string): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.nodeDir(node), 'pid1'), 'utf8'));
      return isLive(readProcess(pid)) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  // ---- network ----

  async #networkUp(): Promise<void> {
    const sw = this.ns('sw');
    await must('ip', ['netns', 'add', sw]);
    await must('ip', ['-n', sw, 'link', 'set', 'lo', 'up']);
    await must('ip', ['-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
    await must('ip', ['-n', sw, 'link', 'set', 'br0', 'up']);
    for (const [name, address] of [...this.names.map((n) => [n, this.address(n)] as const), ['cl', this.clientAddress] as const]) {
      const ns = this.ns(name);
      await must('ip', ['netns', 'add', ns]);
      await must('ip', ['-n', sw, 'link', 'add', name, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await must('ip', ['-n', sw, 'link', 'set', name, 'master', 'br0', 'up']);
      await must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await must('ip', ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      await must('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    }
  }

  /** Is the node's cable plugged in at the switch? */
  async linked(node: string): Promise<boolean> {
    const r = await sh('ip', ['-n', this.ns('sw'), '-br', 'link', 'show', node]);
    return r.code === 0 && !/\bDOWN\b/.test(r.stdout.split(/\s+/)[1] ?? 'DOWN');
  }

  /** Cable unplugged / plugged back at the switch. */
  async link(node: string, state: 'up' | 'down'): Promise<void> {
    await must('ip', ['-n', this.ns('sw'), 'link', 'set', node, state]);
  }

  // ---- configuration files ----

  #corosyncConf(): string {
    const nodes = this.names.map((n, i) => `  node {\n    name: ${n}\n    nodeid: ${i + 1}\n    ring0_addr: ${this.address(n)}\n  }`);
    return [
      'totem {',
      '  version: 2',
      `  cluster_name: ${this.prefix}`,
      '  transport: knet',
      '  crypto_cipher: none',
      '  crypto_hash: none',
      `  token: ${this.tokenMs}`,
      '}',
      'logging {',
      '  to_logfile: yes',
      '  logfile: /var/log/corosync/corosync.log',
      '  to_stderr: no',
      '  to_syslog: no',
      '  timestamp: hires',
      '}',
      'quorum {',
      '  provider: corosync_votequorum',
      ...(this.names.length === 2 ? ['  two_node: 1'] : []),
      '}',
      'nodelist {',
      ...nodes,
      '}',
      '',
    ].join('\n');
  }

  #hosts(): string {
    return ['127.0.0.1 localhost', ...this.names.map((n) => `${this.address(n)} ${n}`), `${this.clientAddress} client`, ''].join('\n');
  }

  /** A CIB seeded offline: short dc-deadtime so the cluster forms in seconds. */
  async #seedCib(): Promise<string> {
    const file = join(this.dir, 'seed-cib.xml');
    writeFileSync(file, await must('cibadmin', ['--empty']));
    const env = { PATH: SYSTEM_PATH, CIB_file: file };
    const property = async (name: string, value: string) => {
      await new Promise<void>((resolve, reject) => {
        execFile('crm_attribute', ['--type', 'crm_config', '--name', name, '--update', value], { env, timeout: 20_000 }, (e) =>
          e ? reject(e) : resolve(),
        );
      });
    };
    await property('dc-deadtime', this.dcDeadtime);
    await property('stonith-enabled', this.stonith ? 'true' : 'false');
    await property('no-quorum-policy', this.names.length === 2 ? 'ignore' : 'stop');
    await property('stonith-timeout', '30s');
    // A fenced lab node stays off until the test boots it again: outcomes are deterministic.
    await property('stonith-action', 'off');
    return file;
  }

  #prepareNode(node: string, cib: string, hacluster: { uid: number; gid: number }): void {
    const d = this.nodeDir(node);
    rmSync(d, { recursive: true, force: true });
    for (const sub of [
      'etc-corosync',
      'lib-corosync',
      'log-corosync',
      'srv-node',
      'lib-pacemaker/cib',
      'lib-pacemaker/pengine',
      'lib-pacemaker/blackbox',
      'lib-pacemaker/cores',
      'lib-pacemaker/bundles',
      'log-pacemaker',
      'run',
    ]) {
      mkdirSync(join(d, sub), { recursive: true });
    }
    writeFileSync(join(d, 'etc-corosync', 'corosync.conf'), this.#corosyncConf());
    writeFileSync(join(d, 'hosts'), this.#hosts());
    writeFileSync(join(d, 'hostname'), `${node}\n`);
    for (const sub of [
      'lib-pacemaker',
      'lib-pacemaker/cib',
      'lib-pacemaker/pengine',
      'lib-pacemaker/blackbox',
      'lib-pacemaker/cores',
      'lib-pacemaker/bundles',
      'log-pacemaker',
    ]) {
      chownSync(join(d, sub), hacluster.uid, hacluster.gid);
    }
    chmodSync(join(d, 'lib-pacemaker', 'cib'), 0o750);
    chmodSync(join(d, 'log-pacemaker'), 0o770);
    writeFileSync(join(d, 'lib-pacemaker', 'cib', 'cib.xml'), readFileSync(cib), { mode: 0o600 });
    chownSync(join(d, 'lib-pacemaker', 'cib', 'cib.xml'), hacluster.uid, hacluster.gid);
  }

  /** A fresh /run per boot, as a tmpfs would be on a real machine. */
  #resetRun(node: string, hacluster: { uid: number; gid: number }): void {
    const run_ = join(this.nodeDir(node), 'run');
    rmSync(run_, { recursive: true, force: true });
    mkdirSync(join(run_, 'lock'), { recursive: true, mode: 0o1777 });
    chmodSync(join(run_, 'lock'), 0o1777);
    mkdirSync(join(run_, 'crm'), { mode: 0o750 });
    chownSync(join(run_, 'crm'), hacluster.uid, hacluster.gid);
    mkdirSync(join(run_, 'resource-agents'));
  }

  // ---- nodes ----

  /** Boots a node: its PID 1 is node-init.sh in fresh namespaces, in a session of its own. */
  async start(node: string): Promise<void> {
    if (this.pid1(node)) return;
    const hacluster = accountIds('hacluster')!;
    this.#resetRun(node, hacluster);
    // The NIC holds only the node's own address after a "reboot": a VIP left by a crash is gone.
    const ns = this.ns(node);
    await sh('ip', ['-n', ns, 'addr', 'flush', 'dev', 'eth0']);
    await must('ip', ['-n', ns, 'addr', 'add', `${this.address(node)}/24`, 'dev', 'eth0']);
    await must('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    await this.link(node, 'up');
    const launcher = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        'unshare',
        '--mount',
        '--uts',
        '--pid',
        '--fork',
        '--mount-proc',
        '--propagation',
        'private',
        '--',
        join(HERE, 'node-init.sh'),
        node,
        this.nodeDir(node),
        join(this.dir, 'sbin'),
        this.sharedDir,
      ],
      {
        detached: true,
        stdio: ['ignore', 'ignore', 'ignore'],
        env: { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' },
      },
    );
    launcher.unref();
    // unshare --fork: PID 1 of the node is the launcher's child.
    const pid1 = await waitFor(`node ${node} to boot`, 20_000, async () => {
      const r = await sh('pgrep', ['-P', String(launcher.pid)]);
      const pid = Number(r.stdout.trim().split('\n')[0]);
      return pid > 0 && existsSync(join(this.nodeDir(node), 'run', 'node-ready')) ? pid : undefined;
    });
    writeFileSync(join(this.nodeDir(node), 'pid1'), String(pid1));
  }

  /** Graceful: pacemakerd then corosync stop, as on shutdown. */
  async stop(node: string): Promise<void> {
    const pid = this.pid1(node);
    if (!pid) return;
    process.kill(pid, 'SIGTERM');
    await waitFor(`node ${node} to stop`, 90_000, async () => (this.pid1(node) ? undefined : true));
  }

  /** Power off: every process of the node dies at once and its link goes down. */
  async crash(node: string): Promise<void> {
    const pid = this.pid1(node);
    if (pid) process.kill(pid, 'SIGKILL');
    await this.link(node, 'down').catch(() => undefined);
    // A machine that is off holds no address: the VIP it had is gone with it.
    await sh('ip', ['-n', this.ns(node), 'addr', 'flush', 'dev', 'eth0']);
    await waitFor(`node ${node} to die`, 10_000, async () => (this.pid1(node) ? undefined : true));
  }

  /** A whole-cluster power loss: every live node off at once, a second later `boot` booted together; returns when they were. */
  async powerLoss(boot: readonly string[] = this.names): Promise<number> {
    await Promise.all(this.liveNodes().map((n) => this.crash(n)));
    await sleep(1000);
    const bootedAt = Date.now();
    await Promise.all(boot.map((n) => this.start(n)));
    return bootedAt;
  }

  /**
   * Runs a command on a node, with its mount, UTS, network and PID namespaces (crm tools need all four).
   * `env` adds variables (a secret goes there, never in args).
   */
  async exec(node: string, args: readonly string[], timeoutMs = 60_000, env: Record<string, string> = {}): Promise<CommandResult> {
    const argv = this.inNode(node, args);
    if (!argv) return { code: 255, stdout: '', stderr: `node ${node} is down` };
    const started = Date.now();
    const result = await sh(argv[0]!, argv.slice(1), timeoutMs, env);
    if (Date.now() - started > 1000) profile(`exec on ${node}: ${args.join(' ').slice(0, 120)}`, started);
    return result;
  }

  /** The argv that runs `args` inside a node's mount, UTS, network and PID namespaces; undefined when it is down. */
  inNode(node: string, args: readonly string[]): string[] | undefined {
    const pid = this.pid1(node);
    return pid ? ['nsenter', '-t', String(pid), '-m', '-u', '-n', '-p', '--', ...args] : undefined;
  }

  async mustExec(node: string, args: readonly string[], timeoutMs = 60_000, env: Record<string, string> = {}): Promise<string> {
    const r = await this.exec(node, args, timeoutMs, env);
    if (r.code !== 0) throw new Error(`on ${node}: ${args.join(' ')} failed (${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  }

  /** Runs a command in the client namespace (a host on the lab network that is not a cluster node). */
  async client(args: readonly string[], timeoutMs = 60_000, env: Record<string, string> = {}): Promise<CommandResult> {
    return sh('ip', ['netns', 'exec', this.ns('cl'), ...args], timeoutMs, env);
  }

  /** Loads crm shell configuration text on a node (crmsh). */
  async loadCrm(text: string, node = this.liveNodes()[0]!): Promise<void> {
    const file = join(this.dir, `config-${Date.now()}.crm`);
    writeFileSync(file, text);
    await this.mustExec(node, ['crm', '-F', 'configure', 'load', 'update', file], 120_000);
  }

  liveNodes(): string[] {
    return this.names.filter((n) => this.pid1(n) !== undefined);
  }

  /** crm_mon's XML status, parsed just enough for predicates: where each resource runs, which nodes are online. */
  async status(node = this.liveNodes()[0]!): Promise<ClusterStatus> {
    const xml = await this.mustExec(node, ['crm_mon', '--output-as=xml', '--inactive'], 30_000);
    return parseStatus(xml);
  }

  /** Waits, bounded, until `predicate` holds on the status seen from `node`. */
  async waitUntil(what: string, timeoutMs: number, predicate: (s: ClusterStatus) => boolean, node?: string): Promise<ClusterStatus> {
    return waitFor(
      what,
      timeoutMs,
      async () => {
        const from = node ?? this.liveNodes()[0];
        if (!from) return undefined;
        try {
          const s = await this.status(from);
          return predicate(s) ? s : undefined;
        } catch {
          return undefined;
        }
      },
      200,
    );
  }

  /**
   * Waits, bounded, until the cluster has no transition in flight (crm_resource --wait). A status where
   * everything runs is not that: a rejoined node's clone starts and their first monitors may still be
   * running, and a crash then makes Pacemaker finish them before it promotes or starts anything.
   */
  async idle(timeoutMs = 120_000, node = this.liveNodes()[0]!): Promise<void> {
    await this.mustExec(node, ['crm_resource', '--wait', `--timeout=${Math.ceil(timeoutMs / 1000)}s`], timeoutMs + 10_000);
  }

  /** Polls a SQL statement on a node's own server (through its socket) until the output matches. */
  async waitUntilSql(node: string, statement: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return waitFor(
      `${statement} on ${node} to match ${pattern}`,
      timeoutMs,
      async () => {
        const r = await this.exec(node, ['mariadb', '--no-defaults', '-S', '/run/mysqld/mysqld.sock', '-uroot', '-e', statement]);
        return r.code === 0 && pattern.test(r.stdout) ? r.stdout : undefined;
      },
      300,
    );
  }

  /** Sets a resource's target-role, as an operator stopping or starting all of it does. */
  async targetRole(resource: string, role: 'Stopped' | 'Started' | 'Master' | 'Promoted'): Promise<void> {
    const from = this.liveNodes()[0]!;
    await this.mustExec(from, [
      'crm_resource',
      '--resource',
      resource,
      '--meta',
      '--set-parameter',
      'target-role',
      '--parameter-value',
      role,
    ]);
  }

  async standby(node: string, on: boolean): Promise<void> {
    const from = this.liveNodes()[0]!;
    await this.mustExec(from, ['crm_attribute', '--node', node, '--name', 'standby', '--update', on ? 'on' : 'off']);
  }

  /** Does the VIP live on this node's NIC? Read from outside: the lab network is ours to inspect. */
  async holdsVip(node: string): Promise<boolean> {
    const r = await sh('ip', ['-n', this.ns(node), '-br', 'addr', 'show', 'eth0']);
    return r.stdout.includes(`${this.vip}/`);
  }

  // ---- whole lab ----

  async up(): Promise<void> {
    await this.down();
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    chmodSync(this.dir, 0o755);
    writeFileSync(
      join(this.dir, 'lab.json'),
      JSON.stringify({
        nodes: this.names.length,
        subnet: this.subnet,
        tokenMs: this.tokenMs,
        dcDeadtime: this.dcDeadtime,
        stonith: this.stonith,
      }),
    );
    mkdirSync(this.sharedDir, { mode: 0o755 });
    installLabPrograms(join(this.dir, 'sbin'), this);
    await this.#networkUp();
    const cib = await this.#seedCib();
    const hacluster = accountIds('hacluster');
    if (!hacluster) throw new Error('the hacluster account is missing: install pacemaker');
    for (const n of this.names) this.#prepareNode(n, cib, hacluster);
    await startFenceSupervisor(this);
    await Promise.all(this.names.map((n) => this.start(n)));
    await this.waitUntil('every node online with a DC', 60_000, (s) => s.dc !== undefined && this.names.every((n) => s.online.includes(n)));
  }

  /** Test teardown: down, unless TSHA_LAB_KEEP is set to look at a failed run's lab afterwards. */
  async release(): Promise<void> {
    if (process.env.TSHA_LAB_KEEP) {
      console.log(`[lab] kept up for inspection: node test/lab/cli.ts exec n1 crm_mon -1r; logs in ${this.dir}`);
      return;
    }
    await this.down();
  }

  /** Leaves nothing: processes, namespaces, state. Works on a lab left by a killed run too. */
  async down(): Promise<void> {
    if (existsSync(this.dir)) {
      for (const entry of readdirSync(this.dir)) {
        const pidFile = join(this.dir, entry, 'pid1');
        if (!existsSync(pidFile)) continue;
        const pid = Number(readFileSync(pidFile, 'utf8'));
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      stopFenceSupervisor(this);
    }
    const list = await sh('ip', ['netns', 'list']);
    for (const line of list.stdout.split('\n')) {
      const ns = line.split(' ')[0];
      if (!ns || !ns.startsWith(`${this.prefix}-`)) continue;
      // A node whose PID 1 was never recorded (its launcher died mid-boot) still lives in its network
      // namespace: whatever runs there goes too.
      const pids = await sh('ip', ['netns', 'pids', ns]);
      for (const pid of pids.stdout
        .split('\n')
        .map(Number)
        .filter((n) => n > 1)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await sh('ip', ['netns', 'del', ns]);
    }
    if (existsSync(this.dir)) {
      // A killed node's processes may take a moment to release files.
      for (let i = 0; i < 20; i++) {
        try {
          rmSync(this.dir, { recursive: true, force: true });
          break;
        } catch {
          await sleep(100);
        }
      }
    }
  }
}

export interface ResourceState {
  readonly id: string;
  readonly agent: string;
  readonly role: string;
  readonly nodes: readonly string[];
  readonly failed: boolean;
}

export interface ClusterStatus {
  readonly dc: string | undefined;
  readonly online: readonly string[];
  readonly offline: readonly string[];
  readonly resources: readonly ResourceState[];
  readonly failures: readonly { id: string; node: string; task: string; rc: string; reason: string }[];
  readonly raw: string;
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

/** Enough of crm_mon's XML for the lab's predicates. */
export function parseStatus(xml: string): ClusterStatus {
  const dcTag = /<current_dc [^>]*>/.exec(xml)?.[0];
  const online: string[] = [];
  const offline: string[] = [];
  for (const tag of xml.match(/<node name="[^"]*"[^>]*\/?>/g) ?? []) {
    if (!/ online="/.test(tag)) continue;
    (attr(tag, 'online') === 'true' ? online : offline).push(attr(tag, 'name')!);
  }
  const resources: ResourceState[] = [];
  for (const m of xml.matchAll(/<resource ([^>]*?)(\/>|>([\s\S]*?)<\/resource>)/g)) {
    const tag = m[1]!;
    const nodes = [...(m[3] ?? '').matchAll(/<node name="([^"]*)"/g)].map((x) => x[1]!);
    resources.push({
      id: attr(` ${tag}`, 'id')!,
      agent: attr(` ${tag}`, 'resource_agent') ?? '',
      role: attr(` ${tag}`, 'role') ?? '',
      nodes,
      failed: attr(` ${tag}`, 'failed') === 'true',
    });
  }
  const failures = [...xml.matchAll(/<failure ([^>]*)\/>/g)].map((m) => ({
    id: attr(` ${m[1]}`, 'op_key') ?? '',
    node: attr(` ${m[1]}`, 'node') ?? '',
    task: attr(` ${m[1]}`, 'task') ?? '',
    rc: attr(` ${m[1]}`, 'exitcode') ?? attr(` ${m[1]}`, 'rc') ?? '',
    reason: attr(` ${m[1]}`, 'exitreason') ?? '',
  }));
  return {
    dc: dcTag && attr(dcTag, 'present') === 'true' ? attr(dcTag, 'name') : undefined,
    online,
    offline,
    resources,
    failures,
    raw: xml,
  };
}

/** Where a resource (primitive id, also inside groups and clones) is started, by node. */
export function runningOn(s: ClusterStatus, id: string, role?: string): string[] {
  // Starting, Stopping, Migrating are transitions, not places where it runs.
  const running = new Set(['Started', 'Promoted', 'Unpromoted', 'Master', 'Slave']);
  return s.resources
    .filter((r) => (r.id === id || r.id.startsWith(`${id}:`)) && running.has(r.role) && !r.failed && (!role || r.role === role))
    .flatMap((r) => r.nodes);
}

/** The nodes where `id` runs or is in a transition (starting, stopping): where its stop has yet to finish. */
export function presentOn(s: ClusterStatus, id: string): string[] {
  return s.resources.filter((r) => r.id === id || r.id.startsWith(`${id}:`)).flatMap((r) => r.nodes);
}

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 100): Promise<T> {
  const started = Date.now();
  const end = started + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      profile(`wait ${what}`, started);
      return value;
    }
    if (Date.now() > end) throw new Error(`lab: timed out after ${timeoutMs} ms waiting for ${what}`);
    // Not sleep(): a poll is part of this wait, which the profile lists once, not once per interval.
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function accountIds(name: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}
