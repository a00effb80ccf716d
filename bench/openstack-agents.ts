// The OpenStack benches' shared part: tsha's agents starting the services of a test cloud, and the old
// openstack-resource-agents shell agents (ocf/ of openstack/openstack-resource-agents, last code commit
// 42bb0c5) set up against the same running services — their rows for bench/openstack-monitor.ts and
// bench/control-plane-cost.ts. The old agents are not part of tsha and are not shipped.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenStackCloud } from '../test/support/openstack.ts';
import { pacemakerEnv } from '../test/support/pacemaker-env.ts';
import { runAgent } from '../test/support/run-agent.ts';

export const TSHA = '/usr/lib/ocf/resource.d/tsha';

export interface Row {
  readonly service: string;
  readonly name: string;
  readonly argv: readonly string[];
  readonly env: Record<string, string>;
  /** Runs it inside a lab node (its nsenter prefix). */
  readonly prefix?: readonly string[];
}

export function env(agent: string, params: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return pacemakerEnv(params, {
    OCF_RESOURCE_TYPE: agent,
    OCF_RESOURCE_INSTANCE: agent,
    OCF_RESKEY_CRM_meta_interval: '10000',
    OCF_RESKEY_CRM_meta_timeout: '60000',
    ...extra,
  });
}

/** An action of tsha's installed agent that must succeed. */
export async function must(agent: string, action: string, params: Record<string, string>): Promise<void> {
  const r = await runAgent(agent, action, env(agent, params), join(TSHA, agent));
  if (r.exitCode !== 0) throw new Error(`${agent} ${action} failed (${r.exitCode}): ${r.stderr.slice(-800)}`);
}

/** The old agent's parameters for the same running service: same pid file, its own names for the rest. */
export function oldRows(cloud: OpenStackCloud, oldDir: string): Row[] {
  if (!oldDir) return [];
  const p = cloud.params;
  const old = (file: string) => join(oldDir, file);
  const rows: Row[] = [];
  const add = (service: string, file: string, params: Record<string, string>) => {
    if (existsSync(old(file))) rows.push({ service, name: `old ${file}`, argv: [old(file), 'monitor'], env: env(file, params) });
  };
  const firstConfig = (c: string) => c.split(' ')[0]!;
  add('keystone', 'keystone', {
    binary: p.keystone.binary,
    config: p.keystone.config,
    user: 'keystone',
    pid: p.keystone.pid,
    client_binary: '/bin/true',
  });
  add('glance-api', 'glance-api', {
    binary: p.glanceApi.binary,
    config: p.glanceApi.config,
    user: 'glance',
    pid: p.glanceApi.pid,
    client_binary: '/bin/true',
  });
  add('nova-api', 'nova-api', {
    binary: p.novaApi.binary,
    config: firstConfig(p.novaApi.config),
    user: 'nova',
    pid: p.novaApi.pid,
    url: p.novaApi.url,
    keystone_get_token_url: `http://127.0.0.1:${cloud.ports.keystone}/v2.0/tokens`,
    os_username: p.novaApi.os_username,
    os_password: p.novaApi.os_password,
    os_tenant_name: 'service',
  });
  const amqpPort = new URL(cloud.transportUrl.replace(/^rabbit:/, 'http:')).port;
  for (const [service, params] of [
    ['nova-scheduler', p.novaScheduler],
    ['nova-conductor', p.novaConductor],
  ] as const) {
    add(service, 'nova-network', {
      binary: params.binary,
      config: firstConfig(params.config),
      user: 'nova',
      pid: params.pid,
      database_server_port: String(cloud.database.port),
      amqp_server_port: amqpPort,
    });
  }
  add('nova-novncproxy', 'nova-novnc', {
    binary: p.novaNovncproxy.binary,
    config: firstConfig(p.novaNovncproxy.config),
    user: 'nova',
    pid: p.novaNovncproxy.pid,
    console_port: String(cloud.ports.novnc),
  });
  return rows;
}

/**
 * Starts the cloud's services with tsha's agents, in dependency order (Keystone, its catalog and
 * placement first), recording each in `started` (stopped in reverse by the caller). Returns the order.
 */
export async function startServices(
  cloud: OpenStackCloud,
  started: [string, Record<string, string>][],
): Promise<[string, Record<string, string>][]> {
  const p = cloud.params;
  const order: [string, Record<string, string>][] = [
    ['keystone', p.keystone],
    ['glance-api', p.glanceApi],
    ['nova-conductor', p.novaConductor],
    ['nova-scheduler', p.novaScheduler],
    ['nova-compute', p.novaCompute],
    ['nova-api', p.novaApi],
    ['nova-novncproxy', p.novaNovncproxy],
  ];
  for (const [agent, params] of order) {
    await must(agent, 'start', params);
    started.push([agent, params]);
    if (agent === 'keystone') await Promise.all([cloud.registerCatalog(), cloud.startPlacement()]);
  }
  return order;
}
