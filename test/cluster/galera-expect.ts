import { expect } from 'vitest';
import type { AckLedger } from '../lab/client.ts';
import { describeReport, unsafe } from '../lab/consistency.ts';
import { galeraCheck } from '../lab/galera-setup.ts';
import type { Lab } from '../lab/lab.ts';
import { agentLogLines } from '../lab/timeline.ts';

/** The end of every galera scenario: every live member holds the VIP member's rows, none held out, every acknowledged id there. */
export async function expectGaleraConsistent(lab: Lab, ledger: AckLedger, what: string): Promise<void> {
  const { report, lost } = await galeraCheck(lab, ledger.acked);
  console.log(`[lab] galera, ${what}: ${describeReport(report)}; acknowledged so far ${ledger.acked.length}, lost ${lost.length}`);
  expect(unsafe(report)).toEqual([]);
  expect(report.instances.filter((i) => i.kind === 'held-out')).toEqual([]);
  expect(report.instances.length).toBe(lab.liveNodes().length - 1);
  expect(lost).toEqual([]);
}

/** What ocf:tsha:galera logged through Pacemaker on a node, in order (a count taken now marks a later action's first line). */
export const galeraAgentLog = (lab: Lab, node: string): string[] => agentLogLines(lab, node, 'galera(galera)');

/** How a member came back, from its agent's lines after `fromLine`. */
export interface Rejoin {
  /** The position it was started at (`--wsrep-start-position`), logged when grastate.dat had seqno -1. */
  readonly startedAt: string | undefined;
  /**
   * Positions of state transfers that copied data. MariaDB runs its SST script on every join; when the
   * joiner's own position is enough the script bypasses the copy and hands that position back ("SST
   * received: <its own position>"), which is not one.
   */
  readonly copies: readonly string[];
  /** Whether it caught up by IST (the write sets it missed, from a donor's gcache). */
  readonly ist: boolean;
  /** Its last lines, for a failed expectation's message. */
  readonly tail: string;
}

export function rejoinOf(lab: Lab, node: string, fromLine: number): Rejoin {
  const lines = galeraAgentLog(lab, node).slice(fromLine);
  const startedAt = lines.map((l) => /starting at ([0-9a-f-]{36}:\d+) \(grastate.dat has seqno -1\)/.exec(l)?.[1]).find(Boolean);
  const received = lines.map((l) => /joining: SST received: (\S+)/.exec(l)?.[1]).filter((p): p is string => p !== undefined);
  return {
    startedAt,
    copies: received.filter((p) => p !== startedAt),
    ist: lines.some((l) => /joining: IST received/.test(l)),
    tail: lines.slice(-20).join('\n'),
  };
}

/**
 * A crashed member's rejoin while the others took writes: it restarts at the position it recovered from
 * InnoDB, so a donor's gcache has the rest and it catches up by IST, with no full state transfer (which
 * on rsync blocks its donor, in a pair always the writer, while it copies everything).
 */
export function expectRejoinedByIst(lab: Lab, node: string, fromLine: number): void {
  const r = rejoinOf(lab, node, fromLine);
  expect(r.startedAt, r.tail).toBeDefined();
  expect(r.copies, r.tail).toEqual([]);
  expect(r.ist, r.tail).toBe(true);
}
