import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckLedger } from '../lab/client.ts';
import { Lab, runningOn, waitFor } from '../lab/lab.ts';
import { bringUpControlPlane, controlPlaneClient, controlPlaneRunning, type ControlPlane } from '../lab/openstack-setup.ts';
import { promotedDb } from '../lab/replication-setup.ts';
import { crashCycles } from './control-plane-crash-cycles.suite.ts';

const CYCLES = 2;

// The seed's whole control plane on 2 nodes, on tsha's agents and real services: the MySQL
// master/slave set with its VIP, RabbitMQ, keystone (uwsgi), glance-api and nova-api/-scheduler, with
// stand-ins for the services no packaged release has (registry, objectstore, consoleauth, cert, network).
describe("the seed's OpenStack control plane on 2 nodes (real Pacemaker, MariaDB, RabbitMQ, keystone, glance, nova)", () => {
  const lab = new Lab({ nodes: 2, stonith: true });
  const ledger = new AckLedger();
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
      (s) => promotedDb(s).length === 1 && runningOn(s, 'vip').length === 1 && controlPlaneRunning(s),
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

  // Keystone's node is crashed, and with the seed's stickiness everything stays where it went: the
  // next cycle's victim is the other node.
  it(`${CYCLES} cycles of crashing the node running Keystone under writes: everything ends up on the other node, answers through the VIPs again, no acknowledged write lost, every instance the same`, async () => {
    await crashCycles(lab, plane, ledger, {
      cycles: CYCLES,
      victim: (s) => runningOn(s, 'keystone')[0]!,
      runsEverything: (s, survivor) => runningOn(s, 'vip').includes(survivor) && controlPlaneRunning(s, survivor),
    });
  });
});
