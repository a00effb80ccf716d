import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { EXIT_REASON_PREFIX, exitReason } from './pacemaker-env.ts';
import { BUILT } from './paths.ts';

// bench/ takes the environment builder from here.

export interface AgentResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The text after the last exit-reason prefix, as Pacemaker reads it. */
  readonly exitReason: string | undefined;
  readonly ms: number;
}

/** Runs an agent executable as Pacemaker does: action as the only argument, parameters in the environment. */
export function runAgent(
  agent: string,
  action: string,
  env: Record<string, string>,
  executable = join(BUILT, agent),
): Promise<AgentResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // A bundle names `node` through env; installed, it names tsha's runtime. Run bundles on the runtime
    // the tests run on (Node >= 22), never on whatever older `node` the minimal PATH finds.
    const argv = [...(executable.startsWith(BUILT) ? [executable] : []), ...(action === '' ? [] : [action])];
    const child = spawn(executable.startsWith(BUILT) ? process.execPath : executable, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({
        exitCode: code ?? -1,
        stdout,
        stderr,
        exitReason: exitReason(stderr, env.OCF_EXIT_REASON_PREFIX ?? EXIT_REASON_PREFIX),
        ms: performance.now() - started,
      });
    });
  });
}
