import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT } from './paths.ts';

export interface AgentResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The text after the last exit-reason prefix, as Pacemaker reads it. */
  readonly exitReason: string | undefined;
  readonly ms: number;
}

export const TEST_CACHE_DIR = join(tmpdir(), 'tsha-test-cache');

/** The environment pacemaker-execd gives an agent, plus the resource's parameters. */
export function pacemakerEnv(params: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    OCF_ROOT: '/usr/lib/ocf',
    OCF_RA_VERSION_MAJOR: '1',
    OCF_RA_VERSION_MINOR: '1',
    OCF_RESOURCE_INSTANCE: 'db',
    OCF_RESOURCE_TYPE: 'mysql',
    OCF_RESOURCE_PROVIDER: 'tsha',
    OCF_EXIT_REASON_PREFIX: 'ocf-exit-reason:',
    OCF_RESKEY_crm_feature_set: '3.16.1',
    OCF_RESKEY_CRM_meta_timeout: '20000',
    HA_LOGFACILITY: 'none',
    HA_debug: '0',
    // The agents' V8 code cache goes to a test folder, not the system's /var/cache/tsha.
    TSHA_CACHE_DIR: TEST_CACHE_DIR,
  };
  for (const [k, v] of Object.entries(params)) env[`OCF_RESKEY_${k}`] = v;
  return { ...env, ...extra };
}

/** Runs an agent executable as Pacemaker does: action as the only argument, parameters in the environment. */
export function runAgent(agent: string, action: string, env: Record<string, string>, executable = join(BUILT, agent)): Promise<AgentResult> {
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
      const prefix = env.OCF_EXIT_REASON_PREFIX ?? 'ocf-exit-reason:';
      const reasons = stderr.split('\n').filter((l) => l.includes(prefix));
      const last = reasons.at(-1);
      resolve({
        exitCode: code ?? -1,
        stdout,
        stderr,
        exitReason: last === undefined ? undefined : last.slice(last.lastIndexOf(prefix) + prefix.length),
        ms: performance.now() - started,
      });
    });
  });
}
