import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labDiagnostics, lastAgentLines } from '../../lab/diagnostics.ts';
import type { Lab } from '../../lab/lab.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsha-diag-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lab = {
  names: ['n1', 'n2'],
  nodeDir: (n: string) => join(dir, n),
  liveNodes: () => [],
} as unknown as Lab;

mkdirSync(join(dir, 'n1', 'log-pacemaker'), { recursive: true });
writeFileSync(
  join(dir, 'n1', 'log-pacemaker', 'pacemaker.log'),
  [
    'Dec 07 05:10:30 n1 pacemaker-controld  [90] (log_executor_event) notice: Result of start operation for rabbitmq on n1: ok',
    ...Array.from({ length: 7 }, (_, i) => `2026/12/07_05:10:3${i} rabbitmq(rabbitmq)[78${i}]:    INFO: line ${i}`),
    `2026/12/07_05:10:39 rabbitmq(rabbitmq)[790]:    ERROR: ${'x'.repeat(400)}`,
    '',
  ].join('\n'),
);

describe("a failed cluster test's diagnostics", () => {
  it("keep a node's last agent lines, not Pacemaker's own, each cut to a readable length", () => {
    const lines = lastAgentLines(lab, 'n1');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toContain('INFO: line 3');
    expect(lines[4]).toMatch(/ERROR: x+…$/);
    expect(lines[4]!.length).toBeLessThan(300);
  });

  it('say when a node has no log and when no node runs', async () => {
    expect(lastAgentLines(lab, 'n2')).toEqual([]);
    const text = await labDiagnostics(lab);
    expect(text).toContain('live nodes: none');
    expect(text).toContain('n2 agent log: (none)');
    expect(text).not.toContain('crm_mon');
  });
});
