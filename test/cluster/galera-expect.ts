import { expect } from 'vitest';
import type { AckLedger } from '../lab/client.ts';
import { describeReport, unsafe } from '../lab/consistency.ts';
import { galeraCheck } from '../lab/galera-setup.ts';
import type { Lab } from '../lab/lab.ts';

/** The end of every galera scenario: every live member holds the VIP member's rows, none held out, every acknowledged id there. */
export async function expectGaleraConsistent(lab: Lab, ledger: AckLedger, what: string): Promise<void> {
  const { report, lost } = await galeraCheck(lab, ledger.acked);
  console.log(`[lab] galera, ${what}: ${describeReport(report)}; acknowledged so far ${ledger.acked.length}, lost ${lost.length}`);
  expect(unsafe(report)).toEqual([]);
  expect(report.instances.filter((i) => i.kind === 'held-out')).toEqual([]);
  expect(report.instances.length).toBe(lab.liveNodes().length - 1);
  expect(lost).toEqual([]);
}
