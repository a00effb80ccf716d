import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPlaneChange } from '../../build/control-plane.ts';
import { AckLedger } from '../lab/client.ts';
import { Lab, runningOn, waitFor, type ClusterStatus } from '../lab/lab.ts';
import { bringUpControlPlane, controlPlaneClient, controlPlaneRunning, type ControlPlane } from '../lab/openstack-setup.ts';
import { promotedDb } from '../lab/replication-setup.ts';
import { operationsAfter } from '../lab/timeline.ts';
import { crashCycles } from './control-plane-crash-cycles.suite.ts';
import { diagnoseFailures } from '../lab/diagnostics.ts';

// The seed's whole control plane on 2 nodes, on tsha's agents and real services: the MySQL
// master/slave set with its VIP, RabbitMQ, keystone (uwsgi), glance-api and nova-api/-scheduler, with
// stand-ins for the services no packaged release has (registry, objectstore, consoleauth, cert, network).
describe("the seed's OpenStack control plane on 2 nodes (real Pacemaker, MariaDB, RabbitMQ, keystone, glance, nova)", () => {
  const lab = new Lab({ nodes: 2, stonith: true });
  diagnoseFailures(lab);
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
  const victim = (s: ClusterStatus) => runningOn(s, 'keystone')[0]!;
  const runsEverything = (s: ClusterStatus, survivor: string) => runningOn(s, 'vip').includes(survivor) && controlPlaneRunning(s, survivor);

  it("a crash of the node running Keystone under the seed's orders: everything ends up on the other node, answers through the VIPs again, no acknowledged write lost, every instance the same", async () => {
    await crashCycles(lab, plane, ledger, { cycles: 1, victim, runsEverything });
  });

  // The README's change, as printed there, on the running cluster: constraints and properties only.
  it('the README change to the tuned orders, loaded into the running cluster, stops and restarts nothing', async () => {
    const loadedAt = Date.now();
    const node = lab.liveNodes()[0]!;
    await lab.mustExec(node, ['sh', '-c', `cd "$(mktemp -d)" && ${controlPlaneChange('seed', 'seed-tuned').crm}`], 120_000);
    await lab.mustExec(node, ['crm_resource', '--wait', '--timeout=120s'], 130_000);
    const constraints = await lab.mustExec(node, ['cibadmin', '--query', '--scope', 'constraints'], 30_000);
    expect(/<rsc_order [^>]*id="keystone_before_nova"[^>]*>/.exec(constraints)?.[0]).toMatch(/kind="Optional"/);
    expect(constraints).not.toMatch(/id="keystone_before_glance"/);
    // Every start, stop, promote and demote since the load, on any node.
    expect(operationsAfter(lab, loadedAt)).toEqual([]);
    expect(controlPlaneRunning(await lab.status())).toBe(true);
  });

  it('a crash of the other node under the tuned orders: the same, sooner (the README recommends them)', async () => {
    await crashCycles(lab, { ...plane, layout: 'seed-tuned' }, ledger, { cycles: 1, firstCycle: 2, victim, runsEverything });
  });
});
