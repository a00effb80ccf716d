/** Clients of the lab VIP, run in the lab's client namespace, and what their output says. */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, type ClusterStatus, type Lab } from './lab.ts';

const WRITER = join(dirname(fileURLToPath(import.meta.url)), 'writer.ts');

export interface ClientRun {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly done: Promise<void>;
}

/** Starts the writer (rows through the VIP) or the probe (does the VIP answer) for `seconds`. */
export function startClient(lab: Lab, mode: 'write' | 'probe', seconds: number, firstId = 1): ClientRun {
  const args = mode === 'probe' ? [WRITER, '--probe', lab.vip, String(seconds)] : [WRITER, lab.vip, String(seconds), String(firstId)];
  return runInClientNamespace(lab, args);
}

/** Runs a Node script with `args` in the lab's client namespace, collecting its output lines. */
export function runInClientNamespace(lab: Lab, args: readonly string[], env: Record<string, string> = {}): ClientRun {
  const child = spawn('ip', ['netns', 'exec', lab.ns('cl'), process.execPath, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  const done = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { child, lines, done };
}

/** Acknowledged row ids. */
export function acknowledged(run: ClientRun): number[] {
  return run.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.split(' ')[1]));
}

/**
 * Every id the writers of a test had acknowledged, and the id the next writer starts from: past every
 * id written so far, with a gap, because a row whose acknowledgement was lost in a crash may be there.
 */
export class AckLedger {
  readonly acked: number[] = [];
  nextId = 1;

  /** Stops a running writer and adds its acknowledged ids; returns them. */
  async finish(writer: ClientRun): Promise<number[]> {
    writer.child.kill();
    await writer.done;
    return this.collect(writer);
  }

  /** Adds a finished writer's acknowledged ids; returns them. */
  collect(writer: ClientRun): number[] {
    const ids = acknowledged(writer);
    // Tens of thousands a cycle: no spreading them into arguments.
    for (const id of ids) {
      this.acked.push(id);
      if (id >= this.nextId) this.nextId = id + 1;
    }
    this.nextId += 1000;
    return ids;
  }
}

/**
 * Seconds from `since` (epoch ms) to the first success after the outage that followed it: the first
 * "ack" (writer) or "up" (probe) after the first failure.
 */
export function recoverySeconds(run: ClientRun, since: number): number | undefined {
  let failedAt: number | undefined;
  for (const line of run.lines) {
    const [kind, a, b] = line.split(' ');
    const at = Number(kind === 'ack' ? b : a);
    if (at < since) continue;
    if ((kind === 'err' || kind === 'down') && failedAt === undefined) failedAt = at;
    if ((kind === 'ack' || kind === 'up') && failedAt !== undefined) return (at - since) / 1000;
  }
  return undefined;
}

/** Seconds from `since` (epoch ms) to the first acknowledged write at or after it. */
export function firstAckAfter(run: ClientRun, since: number): number | undefined {
  for (const line of run.lines) {
    const [kind, , at] = line.split(' ');
    if (kind === 'ack' && Number(at) >= since) return (Number(at) - since) / 1000;
  }
  return undefined;
}

/** The longest time in seconds between two acknowledged writes from `since` on (a commit held while a member is evicted). */
export function longestPause(run: ClientRun, since: number): number {
  let previous = since;
  let longest = 0;
  for (const line of run.lines) {
    const [kind, , at] = line.split(' ');
    if (kind !== 'ack' || Number(at) < since) continue;
    longest = Math.max(longest, Number(at) - previous);
    previous = Number(at);
  }
  return longest / 1000;
}

export interface CrashUnderClient {
  readonly client: ClientRun;
  readonly crashedAt: number;
  /** When the test first saw the cluster recovered (after `recovered` held on the survivor). */
  readonly recoveredSeenAt: number;
}

/**
 * The failover measurement every lab test and benchmark makes: a client writes through (or probes) the
 * VIP, `node` crashes, the cluster recovers on a survivor, the client runs a moment longer and stops.
 */
export async function crashUnderClient(
  lab: Lab,
  node: string,
  mode: 'write' | 'probe',
  recovered: (s: ClusterStatus) => boolean,
  o: { firstId?: number; beforeMs?: number; afterMs?: number } = {},
): Promise<CrashUnderClient> {
  const survivor = lab.names.find((n) => n !== node && lab.pid1(n) !== undefined)!;
  const client = startClient(lab, mode, 60, o.firstId ?? 1);
  await sleep(o.beforeMs ?? 2000);
  const crashedAt = Date.now();
  await lab.crash(node);
  await lab.waitUntil(`the cluster to recover on ${survivor}`, 90_000, recovered, survivor);
  const recoveredSeenAt = Date.now();
  await sleep(o.afterMs ?? 2000);
  client.child.kill();
  await client.done;
  return { client, crashedAt, recoveredSeenAt };
}

/** Rows of demo.rows with ids in [from, to], counted through the VIP from the client namespace (the app account). */
export async function rowsThroughVip(lab: Lab, from: number, to: number): Promise<number> {
  const r = await lab.client(
    [
      'mariadb',
      '--no-defaults',
      '-h',
      lab.vip,
      '-uapp',
      '-N',
      '-B',
      '-e',
      `SELECT COUNT(*) FROM demo.rows WHERE id BETWEEN ${from} AND ${to}`,
    ],
    60_000,
    { MYSQL_PWD: 'app-secret' },
  );
  if (r.code !== 0) throw new Error(`counting rows through the VIP failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}
