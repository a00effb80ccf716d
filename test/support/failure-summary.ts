import { relative } from 'node:path';
import type { UserConsoleLog } from 'vitest';
import type { Reporter, TestModule } from 'vitest/node';

// CI keeps only the tail of a run's output, and the default reporter prints failures in run order:
// the first failure, usually the cause of the rest, is what a long run cuts off. This reporter ends
// the run with each failure on one line, in the order they happened, then the diagnostics a test
// printed for it (console lines starting with DIAGNOSTICS), then the slowest files.
export const DIAGNOSTICS = '[diagnostics]';
const MESSAGE_CHARS = 600;
const DIAGNOSTIC_CHARS = 6000;

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export default class FailureSummary implements Reporter {
  readonly #diagnostics = new Map<string, string[]>();

  onUserConsoleLog(log: UserConsoleLog): void {
    if (!log.taskId || !log.content.startsWith(DIAGNOSTICS)) return;
    const lines = this.#diagnostics.get(log.taskId) ?? [];
    lines.push(log.content);
    this.#diagnostics.set(log.taskId, lines);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const failures = modules
      .flatMap((m) => [...m.children.allTests()].map((t) => ({ m, t, r: t.result(), d: t.diagnostic() })))
      .filter((f) => f.r.state === 'failed')
      .sort((a, b) => (a.d?.startTime ?? 0) - (b.d?.startTime ?? 0));
    const files = modules
      .map((m) => ({ name: relative(process.cwd(), m.moduleId), s: m.diagnostic().duration / 1000 }))
      .sort((a, b) => b.s - a.s)
      .slice(0, 12);
    const out: string[] = ['', `slowest files: ${files.map((f) => `${f.name} ${f.s.toFixed(0)} s`).join(', ')}`];
    if (failures.length > 0) out.push(`${failures.length} failed, in the order they ran:`);
    failures.forEach(({ m, t, r }, i) => {
      const errors = r.state === 'failed' ? r.errors : [];
      out.push(
        `${i + 1}. ${relative(process.cwd(), m.moduleId)} > ${t.fullName}: ${oneLine(errors[0]?.message ?? '(no message)', MESSAGE_CHARS)}`,
      );
      const diagnostics = this.#diagnostics.get(t.id);
      if (diagnostics) out.push(`   ${oneLine(diagnostics.join(' | '), DIAGNOSTIC_CHARS)}`);
    });
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
