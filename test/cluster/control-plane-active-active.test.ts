import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckLedger, startClient } from '../lab/client.ts';
import { checkConsistency, describeReport, lostWrites, mariadbArgv, unsafe } from '../lab/consistency.ts';
import { Lab, runningOn, sleep, waitFor, type ClusterStatus } from '../lab/lab.ts';
import {
  answersAgain,
  bringUpControlPlane,
  controlPlaneClient,
  controlPlaneSettled,
  watchControlPlane,
  type ControlPlane,
} from '../lab/openstack-setup.ts';
import { describeOperations, describeTimeline, failoverTimeline, operationsAfter } from '../lab/timeline.ts';

const CYCLES = 2;
const promoted = (s: ClusterStatus) => [...runningOn(s, 'db', 'Promoted'), ...runningOn(s, 'db', 'Master')];

// The README's recommended layout (test/lab/control-plane-crm.ts): every API and RPC service cloned on
// both controllers, VIPs colocated with their clones, Optional orders. The node holding the database's
// master — the worst node to lose — is powered off again and again, alternating, while one client writes
// rows through the database VIP and another asks for a token, the image list and the compute service list
// through the service VIPs. After each cycle the node boots and rejoins, and the data is checked whole.
describe('the active/active control plane on 2 nodes (real Pacemaker, MariaDB, RabbitMQ, keystone, glance, nova)', () => {
  const lab = new Lab({ nodes: 2, stonith: true });
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
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const before = await lab.status();
      const victim = promoted(before)[0]!;
      const survivor = lab.names.find((n) => n !== victim)!;
      await lab.waitUntilSql(survivor, 'SHOW SLAVE STATUS\\G', /Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/, 60_000);
      const writer = startClient(lab, 'write', 300, ledger.nextId);
      const watcher = watchControlPlane(lab, plane, 300);
      await sleep(2000);
      const crashedAt = Date.now();
      await lab.crash(victim);
      const outage = await answersAgain(watcher, crashedAt, 3000, `answers through the VIPs again (cycle ${cycle})`);
      watcher.child.kill();
      const survivorOps = operationsAfter(lab, crashedAt).filter((o) => o.node === survivor);
      console.log(
        `[lab] active/active, cycle ${cycle}: crashed ${victim}; answers through the VIPs again after ${outage.answeredAfter?.toFixed(2)} s ` +
          `(${outage.failures} failed attempts, started +${outage.firstFailure?.toFixed(2)}..+${outage.lastFailure?.toFixed(2)} s, the last: ${outage.lastReason}); ${describeTimeline(failoverTimeline(lab, crashedAt))}; on ${survivor}: ${describeOperations(survivorOps)}`,
      );
      const after = await lab.status(survivor);
      expect(promoted(after)).toEqual([survivor]);
      expect(after.online).not.toContain(victim);

      // Writes go on through the new primary; the crashed node boots, rejoins and replicates.
      await sleep(3000);
      await lab.start(victim);
      await lab.waitUntil(
        `${victim} back with every clone (cycle ${cycle})`,
        300_000,
        (s) => controlPlaneSettled(s, lab.names, 'active-active'),
        survivor,
      );
      await waitFor(
        `${victim} replicating (cycle ${cycle})`,
        60_000,
        async () => {
          const r = await lab.exec(victim, mariadbArgv('SHOW SLAVE STATUS\\G', { vertical: true }));
          return r.code === 0 && /Slave_IO_Running: Yes/.test(r.stdout) ? true : undefined;
        },
        300,
      );
      writer.child.kill();
      await Promise.all([writer.done, watcher.done]);
      expect(ledger.collect(writer).length).toBeGreaterThan(0);

      // The whole data, on every instance: the writer's rows and Keystone's own tables.
      for (const table of ['demo.rows', 'keystone.project']) {
        const report = await checkConsistency(lab, survivor, { table, holdWrites: true });
        const lost = table === 'demo.rows' ? lostWrites(report, ledger.acked) : [];
        console.log(
          `[lab] active/active, cycle ${cycle}, ${table}: ${describeReport(report)}; acknowledged so far ${ledger.acked.length}, lost ${lost.length}`,
        );
        expect(unsafe(report)).toEqual([]);
        expect(report.instances.filter((i) => i.kind === 'held-out')).toEqual([]);
        expect(lost).toEqual([]);
      }
    }
  });
});
