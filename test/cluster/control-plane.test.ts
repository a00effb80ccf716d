import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConsistency, describeReport, unsafe } from '../lab/consistency.ts';
import { Lab, runningOn, waitFor, type ClusterStatus } from '../lab/lab.ts';
import { bringUpControlPlane, controlPlaneClient, controlPlaneRunning, type ControlPlane } from '../lab/openstack-setup.ts';

const promoted = (s: ClusterStatus) => [...runningOn(s, 'db', 'Promoted'), ...runningOn(s, 'db', 'Master')];

// The seed's whole control plane on 2 nodes, on tsha's agents and real services: the MySQL
// master/slave set with its VIP, RabbitMQ, keystone (uwsgi), glance-api and nova-api/-scheduler, with
// stand-ins for the services no packaged release has (registry, objectstore, consoleauth, cert, network).
describe("the seed's OpenStack control plane on 2 nodes (real Pacemaker, MariaDB, RabbitMQ, keystone, glance, nova)", () => {
  const lab = new Lab({ nodes: 2, stonith: true });
  let plane: ControlPlane;

  let client: ReturnType<typeof controlPlaneClient>;

  beforeAll(async () => {
    plane = await bringUpControlPlane(lab);
    client = controlPlaneClient(lab, plane);
  }, 900_000);
  afterAll(() => lab.release());

  it('every resource starts, and a token, an image list and the compute service list succeed through the VIPs', async () => {
    await lab.waitUntil(
      'the database and the whole control plane running',
      300_000,
      (s) => promoted(s).length === 1 && runningOn(s, 'vip').length === 1 && controlPlaneRunning(s),
    );
    const answer = await waitFor(
      'the services to answer through their VIPs',
      120_000,
      async () => {
        const r = await client('check');
        return r.code === 0 && /nova-scheduler@/.test(r.stdout) ? r.stdout : undefined;
      },
      1000,
    );
    expect(JSON.parse(answer)).toMatchObject({ images: 200, services: 200 });
  });

  it('a crash of the node running Keystone: everything ends up on the other node and answers through the VIPs again', async () => {
    const s = await lab.status();
    const victim = runningOn(s, 'keystone')[0]!;
    const survivor = lab.names.find((n) => n !== victim)!;
    const crashedAt = Date.now();
    await lab.crash(victim);
    const after = await lab.waitUntil(
      `everything running on ${survivor}`,
      300_000,
      (s) => promoted(s)[0] === survivor && runningOn(s, 'vip').includes(survivor) && controlPlaneRunning(s, survivor),
      survivor,
    );
    const placedAt = Date.now();
    await waitFor(
      'a token, the image list and the compute service list through the VIPs',
      120_000,
      async () => {
        const r = await client('check');
        return r.code === 0 && new RegExp(`nova-scheduler@${survivor}`).test(r.stdout) ? true : undefined;
      },
      500,
    );
    const answeredAt = Date.now();
    console.log(
      `[lab] control plane recovery after a crash of ${victim}: everything running on ${survivor} after ${((placedAt - crashedAt) / 1000).toFixed(1)} s; ` +
        `token + images + compute services answer through the VIPs after ${((answeredAt - crashedAt) / 1000).toFixed(1)} s`,
    );
    expect(after.online).not.toContain(victim);
    const report = await checkConsistency(lab, survivor, { table: 'keystone.project', holdWrites: true });
    console.log(`[lab] control plane database after the crash: ${describeReport(report)}`);
    expect(unsafe(report)).toEqual([]);
  });
});
