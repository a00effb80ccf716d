/**
 * What pacemaker-execd gives an agent and how it reads the agent's answer, for unit and integration
 * tests alike: one environment builder, one exit-reason parser.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OCF_ROOT } from './paths.ts';

/** pacemaker-execd's PCMK_OCF_REASON_PREFIX, which it also passes as OCF_EXIT_REASON_PREFIX. */
export const EXIT_REASON_PREFIX = 'ocf-exit-reason:';

export const TEST_CACHE_DIR = join(tmpdir(), 'tsha-test-cache');

/** The environment pacemaker-execd gives an agent, plus the resource's parameters (as OCF_RESKEY_*). */
export function pacemakerEnv(params: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    OCF_ROOT,
    OCF_RA_VERSION_MAJOR: '1',
    OCF_RA_VERSION_MINOR: '1',
    OCF_RESOURCE_INSTANCE: 'db',
    OCF_RESOURCE_TYPE: 'mysql',
    OCF_RESOURCE_PROVIDER: 'tsha',
    OCF_EXIT_REASON_PREFIX: EXIT_REASON_PREFIX,
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

/** Every line of stderr that carries the exit-reason prefix, whole (prefix included). */
export function exitReasonLines(stderr: string, prefix = EXIT_REASON_PREFIX): string[] {
  return stderr.split('\n').filter((l) => l.includes(prefix));
}

/** The exit reason as Pacemaker reads it: the text after the last prefix, to the end of its line. */
export function exitReason(stderr: string, prefix = EXIT_REASON_PREFIX): string | undefined {
  const last = exitReasonLines(stderr, prefix).at(-1);
  return last === undefined ? undefined : last.slice(last.lastIndexOf(prefix) + prefix.length);
}
