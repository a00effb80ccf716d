import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface OcfTesterResult {
  /** ocf-tester's exit code (-1 when it was killed or could not run). */
  readonly code: number;
  /** stdout then stderr: "passed all tests" or the action that failed, with the agent's output. */
  readonly out: string;
}

/** The longest action timeout an agent's meta-data advertises, in ms: what an operator's cluster passes it at most. */
async function advertisedTimeoutMs(executable: string): Promise<number> {
  const { stdout } = await exec(executable, ['meta-data'], { timeout: 30_000 });
  const seconds = [...stdout.matchAll(/<action\b[^>]*\btimeout="(\d+)s?"/g)].map((m) => Number(m[1]));
  if (seconds.length === 0) throw new Error(`${executable} meta-data advertises no action timeout`);
  return Math.max(...seconds) * 1000;
}

/**
 * ocf-tester on an agent executable, as the integration tests run it. ocf-tester passes every action
 * OCF_RESKEY_CRM_meta_timeout=20000 unless told otherwise, and tsha's agents hold to that deadline; a
 * broker's boot (2026-12-07) and nova-scheduler's start (2026-12-08) each outran 20 s once at nice 10
 * beside an OpenStack lab. So the tester passes the timeout the agent advertises (its -o sets that same
 * variable), as Pacemaker passes the operation's timeout: what is tested is the agent's contract, not
 * whether a service boots within ocf-tester's default on a loaded machine.
 */
export async function ocfTester(
  executable: string,
  instance: string,
  params: Record<string, string>,
  options: { readonly env?: NodeJS.ProcessEnv } = {},
): Promise<OcfTesterResult> {
  const timeout = await advertisedTimeoutMs(executable);
  const args = [
    '-n',
    instance,
    ...Object.entries(params).flatMap(([k, v]) => ['-o', `${k}=${v}`]),
    '-o',
    `CRM_meta_timeout=${timeout}`,
    executable,
  ];
  try {
    const r = await exec('ocf-tester', args, { timeout: 600_000, env: options.env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string; message?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}${e.stdout === undefined ? String(e.message) : ''}`,
    };
  }
}
