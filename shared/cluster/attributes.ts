/**
 * Cross-node state through Pacemaker's own tools. Every call is a fork (~15 ms with a live CIB), so
 * the promotion score is cached in this node's /run and written only when it changes: a steady-state
 * monitor forks nothing.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Deadline } from '../ocf/deadline.ts';
import type { Logger } from '../ocf/log.ts';
import { runCommand } from '../process/command.ts';

/** The clone's resource name without its instance number ("db:1" -> "db"). */
export function baseName(instance: string): string {
  return instance.replace(/:\d+$/, '');
}

/** Whose attributes, and where this node remembers what it last wrote (an OcfEnvironment is one). */
export interface AttributeScope {
  readonly instance: string;
  readonly stateDir: string;
}

/**
 * The cache of written values: `tsha-<resource>.written.<key>` in the state directory. Only files with
 * that prefix are the cache; forgetWrittenAttributes removes them and nothing else there.
 */
function cachePrefix(scope: AttributeScope): string {
  return `tsha-${baseName(scope.instance)}.written.`;
}

function cacheFile(scope: AttributeScope, key: string): string {
  return join(scope.stateDir, `${cachePrefix(scope)}${key}`);
}

function cached(scope: AttributeScope, key: string): string | undefined {
  try {
    return readFileSync(cacheFile(scope, key), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function remember(scope: AttributeScope, key: string, value: string): void {
  try {
    mkdirSync(scope.stateDir, { recursive: true });
    const file = cacheFile(scope, key);
    writeFileSync(`${file}.${process.pid}`, value);
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // Without the cache the next monitor writes the value again: slower, not wrong.
  }
}

/**
 * Writes a node attribute through `write` only when `value` differs from what this node last wrote
 * (or when forced). A failed write is logged, not thrown: outside a cluster (ocf-tester, a person at a
 * shell) there is no CIB, and the action itself still stands.
 */
async function writeIfChanged(
  scope: AttributeScope,
  key: string,
  value: string,
  write: () => Promise<{ exitCode: number; stderr: string }>,
  log: Logger,
  force: boolean,
): Promise<void> {
  if (!force && cached(scope, key) === value) return;
  const r = await write();
  if (r.exitCode !== 0) {
    log.warn(`could not write ${key} = ${value}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
    return;
  }
  remember(scope, key, value);
}

/**
 * Sets (a number) or deletes (undefined) this node's promotion score, only if it differs from what this
 * node last wrote. `force` rewrites it anyway (probes restore it, as Stateful does).
 */
export async function setPromotionScore(
  scope: AttributeScope,
  score: number | undefined,
  deadline: Deadline,
  log: Logger,
  force = false,
): Promise<void> {
  const args = score === undefined ? ['--promotion', '--delete'] : ['--promotion', '--update', String(score)];
  await writeIfChanged(
    scope,
    'promotion-score',
    score === undefined ? 'deleted' : String(score),
    () => runCommand('crm_attribute', args, deadline),
    log,
    force,
  );
}

/**
 * A transient 0/1 node attribute a VIP's location rule follows (mysql's reader_attribute: 1 where the
 * instance may serve reads; galera's writer_attribute: 1 where it may take writes).
 */
export async function setNodeFlag(
  scope: AttributeScope,
  name: string,
  on: boolean,
  deadline: Deadline,
  log: Logger,
  force = false,
): Promise<void> {
  const value = on ? '1' : '0';
  await writeIfChanged(
    scope,
    `flag-${name}`,
    value,
    () => runCommand('attrd_updater', ['--name', name, '--update', value, '--lifetime', 'reboot'], deadline),
    log,
    force,
  );
}

/** Sets another node's promotion score (the bootstrap node lets the others join); not cached. */
export async function setPromotionScoreOn(node: string, score: number, deadline: Deadline): Promise<boolean> {
  const r = await runCommand('crm_attribute', ['--promotion', '--node', node, '--update', String(score)], deadline);
  return r.exitCode === 0;
}

/** Forgets what this node last wrote, so the next monitor writes every value again (after a stop or start). */
export function forgetWrittenAttributes(scope: AttributeScope): void {
  const prefix = cachePrefix(scope);
  try {
    for (const f of readdirSync(scope.stateDir)) if (f.startsWith(prefix)) rmSync(join(scope.stateDir, f), { force: true });
  } catch {
    // nothing cached
  }
}

/** A private, reboot-lifetime node attribute (attrd), e.g. this node's GTID position at pre-promote. */
export async function publishPrivate(name: string, value: string, deadline: Deadline): Promise<boolean> {
  const r = await runCommand('attrd_updater', ['--private', '--lifetime', 'reboot', '--name', name, '--update', value], deadline);
  return r.exitCode === 0;
}

/** Deletes this node's value of a private attrd attribute. */
export async function forgetPrivate(name: string, deadline: Deadline): Promise<boolean> {
  const r = await runCommand('attrd_updater', ['--private', '--name', name, '--delete'], deadline);
  return r.exitCode === 0;
}

/**
 * Every node's value of a private attrd attribute (empty values are no value). attrd_updater takes the
 * node from the agent's OCF_RESKEY_CRM_meta_on_node even with --all, and then answers for this node
 * only: a promotion would compare itself with no one. That variable stays out of its environment.
 */
export async function queryPrivateAll(name: string, deadline: Deadline): Promise<Map<string, string>> {
  const r = await runCommand('attrd_updater', ['--private', '--name', name, '--query', '--all'], deadline, 10_000, [
    'OCF_RESKEY_CRM_meta_on_node',
    'OCF_RESKEY_CRM_meta_on_node_uuid',
  ]);
  const values = new Map<string, string>();
  if (r.exitCode !== 0) return values;
  // name="db-gtid" host="n1" value="0-1-100"
  for (const m of r.stdout.matchAll(/host="([^"]*)"\s+value="([^"]*)"/g)) {
    if (m[2] !== '') values.set(m[1]!, m[2]!);
  }
  return values;
}

/** A cluster-wide property (crm_config), or undefined. */
export async function clusterProperty(name: string, deadline: Deadline): Promise<string | undefined> {
  const r = await runCommand('crm_attribute', ['--type', 'crm_config', '--name', name, '--query', '--quiet'], deadline);
  const value = r.stdout.trim();
  return r.exitCode === 0 && value !== '' ? value : undefined;
}

export async function setClusterProperty(name: string, value: string, deadline: Deadline): Promise<boolean> {
  const r = await runCommand('crm_attribute', ['--type', 'crm_config', '--name', name, '--update', value], deadline);
  return r.exitCode === 0;
}

/** Removes a cluster-wide property; true when it is gone (crm_attribute succeeds on an absent one too). */
export async function deleteClusterProperty(name: string, deadline: Deadline): Promise<boolean> {
  const r = await runCommand('crm_attribute', ['--type', 'crm_config', '--name', name, '--delete'], deadline);
  return r.exitCode === 0;
}

/** A permanent node attribute (e.g. `<rsc>_mysql_master_IP`, set by the administrator), or undefined. */
export async function nodeAttribute(node: string, name: string, deadline: Deadline): Promise<string | undefined> {
  const r = await runCommand('crm_attribute', ['--node', node, '--name', name, '--lifetime', 'forever', '--query', '--quiet'], deadline);
  const value = r.stdout.trim();
  return r.exitCode === 0 && value !== '' ? value : undefined;
}
