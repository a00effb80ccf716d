/**
 * What a failed cluster test leaves for whoever reads CI's tail, which keeps only the last lines of a
 * run: Pacemaker's own view (resources, fail counts, failed actions with their exit reasons) and each
 * node's last agent lines, where tsha logs every decision it takes and why it waits. A lab is gone
 * once its suite ends, so this is gathered at the failure, before the next test changes anything.
 */
import { afterEach } from 'vitest';
import { DIAGNOSTICS } from '../support/failure-summary.ts';
import type { Lab } from './lab.ts';
import { pacemakerLogLines } from './timeline.ts';

const LINES_PER_NODE = 5;
const LINE_CHARS = 260;

// An agent's own log line through Pacemaker: "2026/12/07_05:10:31 rabbitmq(rabbitmq)[784]:    INFO: ...".
const AGENT_LINE = /^\S+ [\w-]+\([^)]*\)\[\d+\]:\s+(INFO|WARNING|ERROR|DEBUG):/;

/** The last lines tsha's agents logged on a node (every level: an INFO line says what a start waits for). */
export function lastAgentLines(lab: Lab, node: string, count = LINES_PER_NODE): string[] {
  return pacemakerLogLines(lab, node)
    .filter((l) => AGENT_LINE.test(l))
    .slice(-count)
    .map((l) => (l.length > LINE_CHARS ? `${l.slice(0, LINE_CHARS)}…` : l));
}

/** One text: which nodes run, crm_mon's view from the first of them, each node's last agent lines. */
export async function labDiagnostics(lab: Lab): Promise<string> {
  const live = lab.liveNodes();
  const parts = [`live nodes: ${live.join(', ') || 'none'}`];
  if (live[0]) {
    const mon = await lab.exec(live[0], ['crm_mon', '-1', '--inactive', '--failcounts'], 20_000);
    parts.push(`crm_mon on ${live[0]}: ${mon.code === 0 ? mon.stdout : `failed (${mon.code}): ${mon.stderr}`}`);
  }
  for (const n of lab.names) parts.push(`${n} agent log: ${lastAgentLines(lab, n).join(' / ') || '(none)'}`);
  return parts.join(' | ');
}

/**
 * Registers, in the calling describe, a hook that prints the lab's diagnostics when a test fails. Only
 * the first failure of a suite: a lab that broke makes the next tests fail too, and the first holds the
 * cause.
 */
export function diagnoseFailures(lab: Lab): void {
  let printed = false;
  afterEach(async (ctx) => {
    if (printed || ctx.task.result?.state !== 'fail') return;
    printed = true;
    try {
      console.log(`${DIAGNOSTICS} ${await labDiagnostics(lab)}`);
    } catch (error) {
      console.log(`${DIAGNOSTICS} could not gather the lab's diagnostics: ${(error as Error).message}`);
    }
  });
}
