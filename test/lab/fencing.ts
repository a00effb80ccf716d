/**
 * Fencing for the lab. Nodes cannot see each other's processes (one PID namespace each), so a small
 * supervisor on the host holds the power switch: the lab's fence agent, run by pacemaker-fenced inside
 * a node, asks it over a unix socket in the lab folder to power a node off (kill its PID namespace and
 * unplug its link), on (boot it), or for its status. Requests are served one at a time and a request
 * from a node that is already off is refused, so a partition ends with exactly one survivor.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from './lab.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

export function fenceSocket(lab: Lab): string {
  return join(lab.dir, 'fence.sock');
}

export function fenceLog(lab: Lab): string {
  return join(lab.dir, 'fence.log');
}

/** The fence agent as fence-agents write them: options as key=value lines on stdin (or -o ACTION). */
function fenceAgent(socketPath: string): string {
  return `#!${process.execPath}
// fence_tshalab: powers tsha lab nodes off and on through the lab's supervisor (${socketPath}).
const net = require('node:net');
const os = require('node:os');
const META = \`<?xml version="1.0" ?>
<resource-agent name="fence_tshalab" shortdesc="Fence agent for tsha lab nodes">
<longdesc>Powers a tsha lab node off (every process of it dies, its link goes down) or on, through the lab supervisor.</longdesc>
<vendor-url>https://example.invalid/tsha</vendor-url>
<parameters>
  <parameter name="action" unique="0" required="1">
    <getopt mixed="-o, --action=[action]"/>
    <content type="string" default="off"/>
    <shortdesc lang="en">Fencing action</shortdesc>
  </parameter>
  <parameter name="port" unique="0" required="0">
    <getopt mixed="-n, --plug=[id]"/>
    <content type="string"/>
    <shortdesc lang="en">Lab node to act on</shortdesc>
  </parameter>
  <parameter name="plug" unique="0" required="0" obsoletes="port">
    <getopt mixed="-n, --plug=[id]"/>
    <content type="string"/>
    <shortdesc lang="en">Lab node to act on</shortdesc>
  </parameter>
</parameters>
<actions>
  <action name="on"/>
  <action name="off"/>
  <action name="reboot"/>
  <action name="status"/>
  <action name="list"/>
  <action name="monitor"/>
  <action name="metadata"/>
  <action name="validate-all"/>
</actions>
</resource-agent>
\`;
function options(text) {
  const o = {};
  for (const line of text.split('\\n')) {
    const i = line.indexOf('=');
    if (i > 0) o[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-o' || argv[i] === '--action') o.action = argv[++i];
    else if (argv[i].startsWith('--action=')) o.action = argv[i].slice(9);
    else if (argv[i] === '-n' || argv[i] === '--plug') o.port = argv[++i];
  }
  return o;
}
function ask(request) {
  return new Promise((resolve) => {
    const s = net.createConnection(${JSON.stringify(socketPath)});
    let data = '';
    const timer = setTimeout(() => { s.destroy(); resolve({ ok: false, error: 'supervisor timeout' }); }, 60000);
    s.on('data', (d) => (data += d));
    s.on('end', () => { clearTimeout(timer); try { resolve(JSON.parse(data)); } catch { resolve({ ok: false, error: 'bad answer' }); } });
    s.on('error', (e) => { clearTimeout(timer); resolve({ ok: false, error: e.message }); });
    s.end(JSON.stringify(request) + '\\n');
  });
}
async function main(stdin) {
  const o = options(stdin);
  const action = o.action || o.option || 'off';
  if (action === 'metadata') { process.stdout.write(META); return 0; }
  const target = o.port || o.plug || o.nodename;
  if (action === 'validate-all') return 0;
  const answer = await ask({ action, target, from: os.hostname() });
  if (action === 'list') { if (answer.ok) process.stdout.write(answer.nodes.map((n) => n + ',\\n').join('')); return answer.ok ? 0 : 1; }
  if (!answer.ok) { process.stderr.write('fence_tshalab: ' + answer.error + '\\n'); return 1; }
  if (action === 'status') return answer.state === 'on' ? 0 : 2;
  return 0;
}
let input = '';
if (process.stdin.isTTY) main('').then((c) => process.exit(c));
else { process.stdin.on('data', (d) => (input += d)); process.stdin.on('end', () => main(input).then((c) => process.exit(c))); }
`;
}

/** Programs the lab nodes see in /usr/sbin (through an overlay in their own mount namespace only). */
export function installLabPrograms(dir: string, lab: Lab): void {
  mkdirSync(dir, { recursive: true });
  const agent = join(dir, 'fence_tshalab');
  writeFileSync(agent, fenceAgent(fenceSocket(lab)));
  chmodSync(agent, 0o755);
  // A long state transfer on demand (a large database over a slow link): Galera's rsync SST, held on
  // the donor for the seconds /srv/shared/sst-delay holds first. A joiner selects it with
  // wsrep_sst_method = slowrsync.
  const sst = join(dir, 'wsrep_sst_slowrsync');
  writeFileSync(
    sst,
    '#!/bin/sh\ncase " $* " in *" --role donor "*) sleep "$(cat /srv/shared/sst-delay 2>/dev/null || echo 0)" ;; esac\n' +
      'exec /usr/bin/wsrep_sst_rsync "$@"\n',
  );
  chmodSync(sst, 0o755);
}

export async function startFenceSupervisor(lab: Lab): Promise<void> {
  const child = spawn(process.execPath, [join(HERE, 'fence-supervisor.ts'), lab.prefix], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  child.unref();
  writeFileSync(join(lab.dir, 'supervisor.pid'), String(child.pid));
  const end = Date.now() + 15_000;
  while (!existsSync(fenceSocket(lab))) {
    if (Date.now() > end || child.exitCode !== null) throw new Error('lab: the fence supervisor did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function stopFenceSupervisor(lab: Lab): void {
  try {
    process.kill(Number(readFileSync(join(lab.dir, 'supervisor.pid'), 'utf8')), 'SIGKILL');
  } catch {
    // not running
  }
  rmSync(fenceSocket(lab), { force: true });
}

/** The supervisor's record: one line per request, `<epoch ms> <from> <action> <target> <result>`. */
export function fenceHistory(lab: Lab): { at: number; from: string; action: string; target: string; result: string }[] {
  if (!existsSync(fenceLog(lab))) return [];
  return readFileSync(fenceLog(lab), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [at, from, action, target, ...rest] = line.split(' ');
      return { at: Number(at), from: from!, action: action!, target: target!, result: rest.join(' ') };
    });
}

/** Waits until `node` was powered off by a fence request made at or after `since` (epoch ms). */
export async function waitFenced(lab: Lab, node: string, since: number, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fenceHistory(lab).some((f) => f.target === node && f.action === 'off' && f.at >= since && f.result === 'ok')) {
    if (Date.now() > end) throw new Error(`lab: ${node} was not fenced within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
