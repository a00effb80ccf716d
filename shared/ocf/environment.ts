/**
 * The OCF environment Pacemaker (or ocf-tester, crm_resource, a person) sets, read once.
 * Absent values get the defaults ocf-shellfuncs uses.
 */
export interface OcfEnvironment {
  readonly root: string;
  readonly instance: string;
  readonly type: string | undefined;
  readonly provider: string | undefined;
  /** OCF version the caller speaks; undefined when it does not say (ocf-tester, ocft, old tools). */
  readonly raVersion: { readonly major: number; readonly minor: number } | undefined;
  /** Operation timeout in ms (`OCF_RESKEY_CRM_meta_timeout`), if given. */
  readonly timeoutMs: number | undefined;
  /** Monitor interval in ms; 0 or absent means a probe. */
  readonly intervalMs: number;
  readonly checkLevel: number | undefined;
  readonly exitReasonPrefix: string;
  /** Where agents keep state between runs on this node (HA_RSCTMP, as ocf-shellfuncs; /run: gone at reboot). */
  readonly stateDir: string;
  /** `OCF_RESKEY_<name>` values, names without the prefix, CRM_meta_* excluded. */
  readonly reskeys: ReadonlyMap<string, string>;
  /** `OCF_RESKEY_CRM_meta_<name>` values. */
  readonly meta: ReadonlyMap<string, string>;
  readonly vars: NodeJS.ProcessEnv;
}

function integerOf(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number.parseInt(text, 10);
  return Number.isFinite(value) ? value : undefined;
}

export function readEnvironment(vars: NodeJS.ProcessEnv = process.env): OcfEnvironment {
  const reskeys = new Map<string, string>();
  const meta = new Map<string, string>();
  for (const [key, value] of Object.entries(vars)) {
    if (value === undefined || !key.startsWith('OCF_RESKEY_')) continue;
    const name = key.slice('OCF_RESKEY_'.length);
    if (name.startsWith('CRM_meta_')) meta.set(name.slice('CRM_meta_'.length), value);
    else reskeys.set(name, value);
  }
  return {
    root: vars.OCF_ROOT || '/usr/lib/ocf',
    instance: vars.OCF_RESOURCE_INSTANCE || 'default',
    type: vars.OCF_RESOURCE_TYPE,
    provider: vars.OCF_RESOURCE_PROVIDER,
    raVersion: raVersionOf(vars),
    timeoutMs: integerOf(meta.get('timeout')),
    intervalMs: integerOf(meta.get('interval')) ?? 0,
    checkLevel: integerOf(vars.OCF_CHECK_LEVEL),
    exitReasonPrefix: vars.OCF_EXIT_REASON_PREFIX ?? 'ocf-exit-reason:',
    stateDir: vars.HA_RSCTMP || '/run/resource-agents',
    reskeys,
    meta,
    vars,
  };
}

/**
 * The environment a program the agent runs inherits: the agent's own (Pacemaker's tools read the
 * resource and node from it), less the variables named. This module owns reading the process's
 * environment; nothing else reads process.env.
 */
export function inheritedEnvironment(unset: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of unset) delete env[name];
  return env;
}

/**
 * The OCF version the caller says it speaks (OCF_RA_VERSION_MAJOR/MINOR); undefined when it does not
 * say. The launcher (build/launcher.ts) chooses its meta-data with this and understandsOcf11, as the
 * agent does.
 */
export function raVersionOf(vars: NodeJS.ProcessEnv): OcfEnvironment['raVersion'] {
  const major = integerOf(vars.OCF_RA_VERSION_MAJOR);
  return major === undefined ? undefined : { major, minor: integerOf(vars.OCF_RA_VERSION_MINOR) ?? 0 };
}

/** Does a caller of this version understand OCF 1.1 meta-data (Pacemaker ≥ 2.1 says so)? */
export function understandsOcf11(v: OcfEnvironment['raVersion']): boolean {
  return v !== undefined && (v.major > 1 || (v.major === 1 && v.minor >= 1));
}

/** Does the caller understand OCF 1.1 meta-data? */
export function speaksOcf11(env: OcfEnvironment): boolean {
  return understandsOcf11(env.raVersion);
}

/** A monitor with no interval is a probe: it must answer for this node only and be quiet about absence. */
export function isProbe(env: OcfEnvironment, action: string): boolean {
  return action === 'monitor' && env.intervalMs === 0;
}
