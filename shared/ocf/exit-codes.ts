/**
 * OCF 1.1 exit codes with Pacemaker's recovery class for each.
 * resource-agents' ocf-returncodes still lacks 190/191 and the PROMOTED names, so they live here.
 */
export const OCF = {
  SUCCESS: 0,
  ERR_GENERIC: 1,
  ERR_ARGS: 2,
  ERR_UNIMPLEMENTED: 3,
  ERR_PERM: 4,
  ERR_INSTALLED: 5,
  ERR_CONFIGURED: 6,
  NOT_RUNNING: 7,
  RUNNING_PROMOTED: 8,
  FAILED_PROMOTED: 9,
  DEGRADED: 190,
  DEGRADED_PROMOTED: 191,
} as const;

export type OcfName = keyof typeof OCF;
export type OcfCode = (typeof OCF)[OcfName];

/** What Pacemaker does with a failed operation that returned the code (Pacemaker Administration, "OCF Return Codes"). */
export type Recovery = 'none' | 'soft' | 'hard' | 'fatal';

export const RECOVERY: Readonly<Record<OcfCode, Recovery>> = {
  0: 'none',
  1: 'soft',
  2: 'hard',
  3: 'hard',
  4: 'hard',
  5: 'hard',
  6: 'fatal',
  7: 'none',
  8: 'none',
  9: 'soft',
  190: 'none',
  191: 'none',
};

const NAMES = new Map<number, OcfName>(Object.entries(OCF).map(([name, code]) => [code, name as OcfName]));

export function ocfName(code: number): string {
  return NAMES.get(code) ?? `UNKNOWN_${code}`;
}
