import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.ts';
import { Lab, runningOn, waitFor, type ClusterStatus } from '../lab/lab.ts';
import { ADMIN_PASSWORD, openstackSql, prepareControlPlane, type ControlPlane } from '../lab/openstack-setup.ts';
import { masterSlaveCrm, prepareReplicas, setMasterAddresses } from '../lab/replication-setup.ts';

const promoted = (s: ClusterStatus) => [...runningOn(s, 'db', 'Promoted'), ...runningOn(s, 'db', 'Master')];
const SERVICES = ['rabbit', 'keystone', 'nova_objectstore', 'glance_api', 'glance_registry', 'nova_consoleauth', 'nova_cert', 'nova_scheduler'];
const VIPS = ['vip', 'vip_rabbit', 'vip_keystone', 'vip_glance', 'vip_nova'];
const CLONED = ['nova_api', 'nova_network', 'placement'];

/** Every resource of the control plane runs on `node` (clones: at least there). */
function allOn(s: ClusterStatus, node: string): boolean {
  return promoted(s)[0] === node && [...SERVICES, ...VIPS, ...CLONED].every((id) => runningOn(s, id).includes(node));
}

function everythingRunning(s: ClusterStatus): boolean {
  return promoted(s).length === 1 && [...SERVICES, ...VIPS, ...CLONED].every((id) => runningOn(s, id).length > 0);
}

// The seed's whole control plane on 2 nodes, on tsha's agents and real services: the MySQL
// master/slave set with its VIP, RabbitMQ, keystone (uwsgi), glance-api and nova-api/-scheduler, with
// stand-ins for the services no packaged release has (registry, objectstore, consoleauth, cert, network).
describe('the seed\'s OpenStack control plane on 2 nodes (real Pacemaker, MariaDB, RabbitMQ, keystone, glance, nova)', () => {
  const lab = new Lab({ nodes: 2, stonith: true });
  let plane: ControlPlane;

  const client = (mode: 'catalog' | 'check') => lab.client([process.execPath, join(ROOT, 'test/lab/control-plane-client.ts'), mode], 60_000, {
    KEYSTONE_URL: plane.urls.keystone, GLANCE_URL: plane.urls.glance, NOVA_URL: plane.urls.nova, ADMIN_PASSWORD,
  });

  beforeAll(async () => {
    await lab.up();
    await prepareReplicas(lab, openstackSql());
    for (const command of setMasterAddresses(lab)) await lab.mustExec(lab.names[0]!, command);
    await lab.loadCrm(masterSlaveCrm(lab));
    const s = await lab.waitUntil('the database promoted with its VIP', 120_000, (s) => promoted(s).length === 1 && runningOn(s, 'vip')[0] === promoted(s)[0]);
    plane = await prepareControlPlane(lab, promoted(s)[0]!);
    console.log(`[lab] OpenStack schemas and keys through the database VIP: ${Object.entries(plane.timings).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}`);
    await lab.loadCrm(plane.crm.keystone);
    await lab.waitUntil('keystone running', 240_000, (s) => runningOn(s, 'keystone').length === 1);
    await waitFor('the catalog registered through the keystone VIP', 60_000, async () => ((await client('catalog')).code === 0 ? true : undefined), 2000);
    await lab.loadCrm(plane.crm.services);
  }, 900_000);
  afterAll(() => lab.release());

  it('every resource starts, and a token, an image list and the compute service list succeed through the VIPs', async () => {
    await lab.waitUntil('the whole control plane running', 300_000, everythingRunning);
    const answer = await waitFor('the services to answer through their VIPs', 120_000, async () => {
      const r = await client('check');
      return r.code === 0 && /nova-scheduler@/.test(r.stdout) ? r.stdout : undefined;
    }, 1000);
    expect(JSON.parse(answer)).toMatchObject({ images: 200, services: 200 });
  });

  it('a crash of the node running Keystone: everything ends up on the other node and answers through the VIPs again', async () => {
    const s = await lab.status();
    const victim = runningOn(s, 'keystone')[0]!;
    const survivor = lab.names.find((n) => n !== victim)!;
    const crashedAt = Date.now();
    await lab.crash(victim);
    const after = await lab.waitUntil(`everything running on ${survivor}`, 300_000, (s) => allOn(s, survivor), survivor);
    const placedAt = Date.now();
    await waitFor('a token, the image list and the compute service list through the VIPs', 120_000, async () => {
      const r = await client('check');
      return r.code === 0 && new RegExp(`nova-scheduler@${survivor}`).test(r.stdout) ? true : undefined;
    }, 500);
    const answeredAt = Date.now();
    console.log(`[lab] control plane recovery after a crash of ${victim}: everything running on ${survivor} after ${((placedAt - crashedAt) / 1000).toFixed(1)} s; ` +
      `token + images + compute services answer through the VIPs after ${((answeredAt - crashedAt) / 1000).toFixed(1)} s`);
    expect(after.online).not.toContain(victim);
  });
});
