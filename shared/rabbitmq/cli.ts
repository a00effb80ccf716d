/**
 * RabbitMQ's stable command-line tools (rabbitmqctl, rabbitmq-diagnostics, rabbitmq-upgrade,
 * rabbitmq-queues), each call bounded by its own cap within the action's deadline: a CLI call to a
 * node whose peer just died can block until Erlang notices (net_ticktime), and must never take the
 * action's whole budget. The cookie comes from the broker's HOME, never from argv.
 */
import type { Deadline } from '../ocf/deadline.ts';
import { runCommand, type CommandResult } from '../process/command.ts';
import type { RabbitmqValues } from './parameters.ts';

export type Tool = 'rabbitmqctl' | 'rabbitmq-diagnostics' | 'rabbitmq-upgrade' | 'rabbitmq-queues';

export interface CliTarget {
  readonly params: RabbitmqValues;
  /** The broker's HOME (its cookie). */
  readonly home: string;
}

/** Runs `tool -n node -t secs args...`; the exit code is returned, not thrown. */
export function cli(
  target: CliTarget,
  tool: Tool,
  node: string,
  args: readonly string[],
  deadline: Deadline,
  capMs: number,
): Promise<CommandResult> {
  const p = target.params;
  const budget = deadline.budget(capMs, `${tool} ${args[0] ?? ''}`);
  // The tool's own timeout a little inside ours, so it can say what it waited for.
  const seconds = Math.max(1, Math.floor(budget / 1000) - 1);
  return runCommand(
    `${p.cli_dir}/${tool}`,
    ['-q', '-n', node, '-t', String(seconds), ...args],
    deadline,
    budget,
    ['RABBITMQ_ERLANG_COOKIE'],
    { HOME: target.home, ERL_EPMD_PORT: String(p.epmd_port), LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
  );
}

/** The first line worth quoting from a failed call, or the first `lines` of them on one line. */
export function failure(r: CommandResult, lines = 1): string {
  if (r.timedOut) return 'timed out';
  const text = `${r.stderr}\n${r.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(Error:|Stack trace|\*\*)$/.test(l));
  return (text.slice(0, lines).join(': ') || `exit ${r.exitCode}`).slice(0, 160 * lines);
}
