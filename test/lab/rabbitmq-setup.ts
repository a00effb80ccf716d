/**
 * Clustered RabbitMQ in the lab: each node's broker files in its own /srv/node/rabbitmq (config,
 * plugins, data, logs), one Erlang cookie on the shared disk, the crm configuration operators write
 * for ocf:tsha:rabbitmq as a clone, and the AMQP clients (a publisher with confirms to a durable
 * quorum queue, a consumer) with what their output says.
 */
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseClusterStatus } from '../../shared/rabbitmq/decide.ts';
import { runInClientNamespace, type ClientRun } from './client.ts';
import type { Lab } from './lab.ts';
import { ids } from './mysql-setup.ts';

const CLIENT = join(dirname(fileURLToPath(import.meta.url)), 'amqp-client.ts');
export const QUEUE = 'tsha-orders';

/** The recommended settings (README): pause_minority; a node that was not last to stop waits for its peers 10 s × 12. */
export const RABBITMQ_CONF = [
  'listeners.tcp.default = 5672',
  'loopback_users = none',
  'cluster_partition_handling = pause_minority',
  // Metadata operations (queue declarations) wait until Erlang notices a dead peer: 15 s, not 60.
  'net_ticktime = 15',
  'mnesia_table_loading_retry_timeout = 10000',
  'mnesia_table_loading_retry_limit = 12',
  '',
].join('\n');

export const RABBITMQ_PARAMS =
  'nodename=rabbit@localhost config_file=/srv/node/rabbitmq/rabbitmq.conf enabled_plugins_file=/srv/node/rabbitmq/enabled_plugins ' +
  'mnesia_base=/srv/node/rabbitmq/mnesia log_base=/srv/node/rabbitmq/log pid_file=/run/rabbitmq/rabbit.pid ' +
  'erlang_cookie_file=/srv/shared/rabbitmq.cookie password=guest';

/** Every node: empty data, the config and an empty plugin list; the cookie once on the shared disk. */
export function prepareRabbitmqNodes(lab: Lab): void {
  writeFileSync(join(lab.sharedDir, 'rabbitmq.cookie'), randomBytes(20).toString('hex').toUpperCase(), { mode: 0o400 });
  for (const node of lab.names) {
    const dir = join(lab.nodeDir(node), 'srv-node', 'rabbitmq');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, 'rabbitmq.conf'), RABBITMQ_CONF);
    writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  }
}

/** The clone as an operator writes it: every node a member, monitors at both depths. */
export function rabbitmqCrm(lab: Lab): string {
  const ops =
    'op start timeout=120s op stop timeout=60s op monitor interval=5s timeout=20s ' +
    'op monitor interval=30s timeout=40s OCF_CHECK_LEVEL=10';
  return [
    `primitive rabbitmq ocf:tsha:rabbitmq params ${RABBITMQ_PARAMS} ${ops} meta failure-timeout=10s`,
    `clone rabbitmq-clone rabbitmq meta clone-max=${lab.names.length} interleave=true`,
    '',
  ].join('\n');
}

export const brokerHosts = (lab: Lab) => lab.names.map((n) => lab.address(n)).join(',');

/** Starts a client in the lab's client namespace. */
export function startAmqpClient(lab: Lab, mode: 'publish' | 'consume' | 'drain', seconds: number, firstId = 1): ClientRun {
  return runInClientNamespace(lab, [CLIENT, mode, brokerHosts(lab), String(seconds), String(firstId)]);
}

export const confirmedIds = (run: ClientRun) => run.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.split(' ')[1]));
export const receivedIds = (run: ClientRun) => run.lines.filter((l) => l.startsWith('got ')).map((l) => Number(l.split(' ')[1]));

// A publisher prints "ack <id> <epoch ms>" per confirm, as the SQL writer does per acknowledged row.
export { firstAckAfter as firstConfirmAfter, longestPause as longestConfirmGap } from './client.ts';

/** rabbitmqctl on a lab node, with the shared cookie in the agent's private HOME. */
export const TSHA_HOME = '/srv/node/rabbitmq/mnesia/.tsha-home';

export function rabbitmqctlArgv(node: string, ...args: string[]): string[] {
  return ['env', `HOME=${TSHA_HOME}`, '/usr/lib/rabbitmq/bin/rabbitmqctl', '-q', '-n', `rabbit@${node}`, ...args];
}

export async function clusterStatusOn(
  lab: Lab,
  node: string,
): Promise<{ running: string[]; members: string[]; maintenance: string[] } | undefined> {
  const r = await lab.exec(node, rabbitmqctlArgv(node, '-t', '10', 'cluster_status', '--formatter', 'json'), 20_000);
  if (r.code !== 0) return undefined;
  try {
    const s = parseClusterStatus(r.stdout);
    return { running: [...s.running].sort(), members: [...s.members].sort(), maintenance: [...s.maintenance].sort() };
  } catch {
    return undefined;
  }
}

/** The quorum queue's members and online members as one node reports them. */
export async function queueMembersOn(
  lab: Lab,
  node: string,
): Promise<{ members: string[]; online: string[]; messages: number } | undefined> {
  const r = await lab.exec(
    node,
    rabbitmqctlArgv(node, '-t', '10', 'list_queues', 'name', 'messages', 'members', 'online', '--formatter', 'json'),
    20_000,
  );
  if (r.code !== 0) return undefined;
  try {
    const rows = JSON.parse(r.stdout) as { name: string; messages: number; members: string[]; online: string[] }[];
    const q = rows.find((x) => x.name === QUEUE);
    return q ? { members: [...q.members].sort(), online: [...q.online].sort(), messages: q.messages } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For the comparison: ocf:heartbeat:rabbitmq-cluster knows only the standard paths, so each node gets
 * its own /etc/rabbitmq, /var/lib/rabbitmq (with the shared cookie) and /var/log/rabbitmq, bound
 * over the standard ones at boot (node-init.sh reads $d/binds).
 */
export function prepareHeartbeatNodes(lab: Lab): void {
  const cookie = randomBytes(20).toString('hex').toUpperCase();
  const rabbitmq = ids('rabbitmq');
  for (const node of lab.names) {
    const d = lab.nodeDir(node);
    const etc = join(d, 'rmq-etc');
    const lib = join(d, 'rmq-lib');
    const log = join(d, 'rmq-log');
    for (const dir of [etc, lib, log]) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true, mode: 0o755 });
    }
    writeFileSync(join(etc, 'rabbitmq.conf'), RABBITMQ_CONF);
    writeFileSync(join(etc, 'enabled_plugins'), '[].\n');
    writeFileSync(join(etc, 'rabbitmq-env.conf'), `NODENAME=rabbit@${node}\n`);
    writeFileSync(join(lib, '.erlang.cookie'), cookie, { mode: 0o400 });
    for (const path of [lib, log, join(lib, '.erlang.cookie')]) chownSync(path, rabbitmq.uid, rabbitmq.gid);
    writeFileSync(join(d, 'binds'), `${etc} /etc/rabbitmq\n${lib} /var/lib/rabbitmq\n${log} /var/log/rabbitmq\n`);
  }
}

/** resource-agents' clone as its documentation writes it (no mirroring policy: the queue is a quorum queue). */
export function heartbeatCrm(lab: Lab): string {
  return [
    'primitive rabbitmq ocf:heartbeat:rabbitmq-cluster op start timeout=200s op stop timeout=200s op monitor interval=10s timeout=40s',
    `clone rabbitmq-clone rabbitmq meta clone-max=${lab.names.length} notify=true ordered=true interleave=true`,
    '',
  ].join('\n');
}
