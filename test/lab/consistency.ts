/**
 * The lab's data-safety check, run after every cluster test that crashes, fences, moves or restarts
 * anything: every running instance holds exactly the primary's rows once replication has caught up, or
 * is held out (its monitor failing with a reason); and every acknowledged write is on the primary.
 * Counting rows on the new primary alone would have missed a replica that reports healthy replication
 * while it lacks a row for good — the divergence this check exists for.
 */
import { spawn } from 'node:child_process';
import { formatGtid, furthestOf, parseGtid } from '../../shared/replication/gtid.ts';
import { runningOn, waitFor, type ClusterStatus, type Lab } from './lab.ts';

const NOT_RUNNING = 'not-running';

/** One SQL statement on a node's own server, through its socket, as root (test inspection only). */
/**
 * The argv of the lab's mariadb client running one statement as root over the node's socket: batch mode
 * (-N -B, tab-separated, no headers) unless `vertical`, which vertical output (\G) needs.
 */
export function mariadbArgv(statement: string, { vertical = false } = {}): string[] {
  const mode = vertical ? [] : ['-N', '-B'];
  return ['mariadb', '--no-defaults', '-S', '/run/mysqld/mysqld.sock', '-uroot', ...mode, '-e', statement];
}

export async function sqlOn(lab: Lab, node: string, statement: string, timeoutMs = 60_000): Promise<string> {
  return (await lab.mustExec(node, mariadbArgv(statement), timeoutMs)).trim();
}

/**
 * What a server holds, comparable across servers whatever server_id it runs under: per domain the
 * furthest of its binary log and its applied replication position (a re-cloned replica's binary log
 * starts empty, and only the slave position says where it stands).
 */
async function gtidPositionOf(lab: Lab, node: string): Promise<string | undefined> {
  const out = await sqlOn(lab, node, 'SELECT @@global.gtid_binlog_pos, @@global.gtid_slave_pos', 10_000).catch(() => undefined);
  if (out === undefined) return undefined;
  // sqlOn trims, which may take an empty column's tab with it: furthestOf is symmetric, so either order reads right.
  const [binlog, slave] = out.split('\t');
  return formatGtid(furthestOf(parseGtid(binlog), parseGtid(slave)));
}

/**
 * Holds every commit on the primary while the check reads it and its replicas: FLUSH TABLES WITH READ
 * LOCK in a session kept open in the background (its own SLEEP bounds it). Services that write through
 * the VIP while the check runs (nova's service heartbeats, every 5 s in the lab) wait meanwhile, so the
 * primary's position and rows stand still and a replica can reach them exactly. Returns the release.
 */
async function holdWrites(lab: Lab, node: string, boundS = 120): Promise<() => Promise<void>> {
  const statement = mariadbArgv(
    `SET SESSION lock_wait_timeout = 30; FLUSH TABLES WITH READ LOCK; SELECT CONNECTION_ID(); SELECT SLEEP(${boundS})`,
  );
  // --unbuffered: the connection id is printed as soon as the lock is held, not when the session ends.
  statement.splice(2, 0, '--unbuffered');
  const argv = lab.inNode(node, statement);
  if (!argv) throw new Error(`holding writes on ${node}: the node is down`);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const id = await waitFor(
    `the write lock on ${node}`,
    40_000,
    async () => {
      if (child.exitCode !== null) throw new Error(`holding writes on ${node} failed: ${err.trim() || out.trim()}`);
      return /^\d+$/m.exec(out)?.[0];
    },
    50,
  );
  return async () => {
    await sqlOn(lab, node, `KILL ${id}`, 10_000).catch(() => undefined);
    child.kill('SIGKILL');
    await exited;
  };
}

/** Every id of the table (its `id` column, as text), in order. */
export async function idsOn(lab: Lab, node: string, table = 'demo.rows'): Promise<string[]> {
  const out = await sqlOn(lab, node, `SELECT id FROM ${table} ORDER BY id`);
  return out === '' ? [] : out.split('\n');
}

/** Per-table checksums of every user table (CHECKSUM TABLE), one line per table. */
async function checksumsOn(lab: Lab, node: string): Promise<string> {
  const tables = await sqlOn(
    lab,
    node,
    "SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables " +
      "WHERE table_schema NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  if (tables === '') return '';
  return sqlOn(lab, node, `CHECKSUM TABLE ${tables.split('\n').join(', ')}`);
}

export type InstanceVerdict =
  | { readonly node: string; readonly kind: 'consistent' }
  /** Not replicating, not promotable, its monitor failing: the reason Pacemaker shows. */
  | { readonly node: string; readonly kind: 'held-out'; readonly reason: string }
  /** Caught up with the primary's position, yet not the primary's rows: what must never happen. */
  | { readonly node: string; readonly kind: 'diverged'; readonly missing: string[]; readonly extra: string[]; readonly detail: string }
  /** No server answers there and Pacemaker runs no instance there (a shared-disk group's standby): nothing to compare. */
  | { readonly node: string; readonly kind: 'not-running' }
  /** Running and not held out, but never reached the primary's position within the bound. */
  | { readonly node: string; readonly kind: 'behind'; readonly position: string; readonly primaryPosition: string };

export interface ConsistencyReport {
  readonly primary: string;
  readonly primaryIds: ReadonlySet<string>;
  readonly instances: readonly InstanceVerdict[];
}

/** The exit reason Pacemaker shows for a failed operation of `resource` on `node`, if any: the instance is held out. */
export function heldOutReason(s: ClusterStatus, node: string, resource = 'db'): string | undefined {
  // 190/191 (degraded) is a running instance saying why it is not at its best, not one held out.
  const failure = s.failures.find(
    (f) => f.node === node && (f.id === resource || f.id.startsWith(`${resource}_`)) && f.reason !== '' && f.rc !== '190' && f.rc !== '191',
  );
  return failure?.reason;
}

function difference(a: readonly string[], b: ReadonlySet<string>): string[] {
  return a.filter((x) => !b.has(x));
}

/**
 * Waits (bounded) until every other running instance reaches the primary's position — the test's writers
 * must have stopped, and with `holdWrites` the primary holds every other commit meanwhile — then compares
 * each one's rows (the id set of `table`, and CHECKSUM TABLE of every user table) with the primary's. An
 * instance whose monitor fails with a reason is held out, not compared.
 */
export interface ConsistencyOptions {
  readonly resource?: string;
  readonly table?: string;
  readonly catchUpMs?: number;
  readonly position?: (lab: Lab, node: string) => Promise<string | undefined>;
  /** Live services still write through the VIP (a control plane): hold the primary's commits while checking. */
  readonly holdWrites?: boolean;
}

export async function checkConsistency(lab: Lab, primary: string, o: ConsistencyOptions = {}): Promise<ConsistencyReport> {
  if (!o.holdWrites) return compare(lab, primary, o);
  const release = await holdWrites(lab, primary);
  try {
    return await compare(lab, primary, o);
  } finally {
    await release();
  }
}

async function compare(lab: Lab, primary: string, o: ConsistencyOptions): Promise<ConsistencyReport> {
  const resource = o.resource ?? 'db';
  const table = o.table ?? 'demo.rows';
  // Replication compares GTID positions; Galera, its last committed seqno.
  const positionOf = o.position ?? gtidPositionOf;
  const primaryPosition = (await positionOf(lab, primary)) ?? '';
  const primaryIds = await idsOn(lab, primary, table);
  const primarySums = await checksumsOn(lab, primary);
  const primarySet = new Set(primaryIds);
  const instances: InstanceVerdict[] = [];
  for (const node of lab.liveNodes().filter((n) => n !== primary)) {
    let reached: string | undefined;
    try {
      reached = await waitFor(
        `${node} to reach the primary's position ${primaryPosition}`,
        o.catchUpMs ?? 60_000,
        async () => {
          const p = await positionOf(lab, node);
          if (p === primaryPosition) return p;
          const s = await lab.status(primary).catch(() => undefined);
          if (s === undefined) return undefined;
          // A held-out instance never catches up: stop waiting as soon as Pacemaker says so.
          const reason = heldOutReason(s, node, resource);
          if (reason !== undefined) return `held-out:${reason}`;
          // No server there, no failure, and no instance Pacemaker counts as running: nothing to compare.
          return p === undefined && !runningOn(s, resource).includes(node) ? NOT_RUNNING : undefined;
        },
        300,
      );
    } catch {
      reached = undefined;
    }
    if (reached === NOT_RUNNING) {
      instances.push({ node, kind: 'not-running' });
      continue;
    }
    const s = await lab.status(primary);
    const reason = heldOutReason(s, node, resource);
    if (reached === undefined || reached.startsWith('held-out:')) {
      if (reason !== undefined) instances.push({ node, kind: 'held-out', reason });
      else instances.push({ node, kind: 'behind', position: (await positionOf(lab, node)) ?? 'no answer', primaryPosition });
      continue;
    }
    const ids = await idsOn(lab, node, table);
    const sums = await checksumsOn(lab, node);
    const missing = difference(primaryIds, new Set(ids));
    const extra = difference(ids, primarySet);
    if (missing.length === 0 && extra.length === 0 && sums === primarySums) instances.push({ node, kind: 'consistent' });
    else
      instances.push({
        node,
        kind: 'diverged',
        missing,
        extra,
        detail: sums === primarySums ? 'id sets differ' : `checksums differ:\n${sums}\nprimary:\n${primarySums}`,
      });
  }
  return { primary, primaryIds: primarySet, instances };
}

/** Acknowledged ids the primary does not hold. */
export function lostWrites(report: ConsistencyReport, acknowledged: readonly number[]): number[] {
  return acknowledged.filter((id) => !report.primaryIds.has(String(id)));
}

/** One line for the test log: each instance's verdict. */
export function describeReport(report: ConsistencyReport): string {
  const parts = report.instances.map((i) => {
    switch (i.kind) {
      case 'consistent':
        return `${i.node} consistent`;
      case 'held-out':
        return `${i.node} held out (${i.reason})`;
      case 'diverged':
        return `${i.node} DIVERGED (missing ${i.missing.slice(0, 10).join(',')}${i.missing.length > 10 ? '…' : ''}; extra ${i.extra.slice(0, 10).join(',')}; ${i.detail})`;
      case 'not-running':
        return `${i.node} runs no instance`;
      case 'behind':
        return `${i.node} BEHIND at ${i.position} (primary ${i.primaryPosition})`;
    }
  });
  return `primary ${report.primary} with ${report.primaryIds.size} rows; ${parts.join('; ') || 'no other instance running'}`;
}

/** The verdicts a safe cluster never has. */
export function unsafe(report: ConsistencyReport): InstanceVerdict[] {
  return report.instances.filter((i) => i.kind === 'diverged' || i.kind === 'behind');
}
