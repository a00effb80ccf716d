import type { Deadline } from '../ocf/deadline.ts';
import { childProcess } from '../ocf/builtins.ts';
import { inheritedEnvironment } from '../ocf/environment.ts';

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/**
 * Runs a program (argv, no shell) bounded by the action's deadline and its own cap. Its exit code is
 * returned, not thrown: for crm_attribute and attrd_updater the codes carry meaning. The agent's own
 * environment goes along (Pacemaker's tools read OCF_RESOURCE_INSTANCE and the node from it), less the
 * variables named in `unset`, plus those in `extra` (a tool's own settings, e.g. its HOME).
 */
export function runCommand(
  file: string,
  args: readonly string[],
  deadline: Deadline,
  capMs = 10_000,
  unset: readonly string[] = [],
  extra: Readonly<Record<string, string>> = {},
): Promise<CommandResult> {
  const timeout = deadline.budget(capMs, `${file} ${args[0] ?? ''}`);
  const env: NodeJS.ProcessEnv = { ...inheritedEnvironment(unset), PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...extra };
  return new Promise((resolve) => {
    childProcess().execFile(
      file,
      args,
      {
        timeout,
        killSignal: 'SIGKILL',
        env,
        maxBuffer: 1 << 20,
      },
      (error, stdout, stderr) => {
        const e = error as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
        resolve({
          exitCode: e ? (typeof e.code === 'number' ? e.code : 127) : 0,
          stdout,
          stderr,
          timedOut: e?.killed === true,
        });
      },
    );
  });
}
