import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckLedger } from '../lab/client.ts';
import { Lab, waitFor } from '../lab/lab.ts';
import { bringUpControlPlane, controlPlaneClient, controlPlaneSettled, type ControlPlane } from '../lab/openstack-setup.ts';
import { promotedDb } from '../lab/replication-setup.ts';
import { crashCycles } from './control-plane-crash-cycles.suite.ts';
import { diagnoseFailures } from '../lab/diagnostics.ts';

const CYCLES = 2;

// The README's recommended layout (test/lab/control-plane-crm.ts): every API and RPC service cloned on
// both controllers, VIPs colocated with their clones, Optional orders. The node holding the database's
// master — the worst node to lose — is powered off again and again, alternating, while one client writes
// rows through the database VIP and another asks for a token, the image list and the compute service list
// through the service VIPs. After each cycle the node boots and rejoins, and the data is checked whole.
describe('the active/active control plane on 2 nodes (real Pacemaker, MariaDB, RabbitMQ, keystone, glance, nova)', () => {
  const lab = new Lab({ nodes: 2, stonith: true });
  diagnoseFailures(lab);
  const ledger = new AckLedger();
  let plane: ControlPlane;

  beforeAll(async () => {
    plane = await bringUpControlPlane(lab, 'active-active');
  }, 900_000);
  afterAll(() => lab.release());

  it('every service runs on both nodes, and a token, an image list and the compute service list succeed through the VIPs', async () => {
    await lab.waitUntil('every clone on both nodes', 300_000, (s) => controlPlaneSettled(s, lab.names, 'active-active'));
    const client = controlPlaneClient(lab, plane);
    const answer = await waitFor(
      'the services to answer through their VIPs',
      120_000,
      async () => {
        const r = await client('check');
        return r.code === 0 ? r.stdout : undefined;
      },
      1000,
    );
    expect(JSON.parse(answer)).toMatchObject({ images: 200, services: 200 });
  });

  it(`${CYCLES} cycles of crashing the master's node under writes: answers through the VIPs again, no acknowledged write lost, every instance the same`, async () => {
    await crashCycles(lab, plane, ledger, { cycles: CYCLES, victim: (s) => promotedDb(s)[0]! });
  });
});
