/**
 * Pacemaker's notification environment (OCF_RESKEY_CRM_meta_notify_*), parsed once. Both the OCF 1.1
 * names (promoted/unpromoted) and the legacy ones (master/slave) are read.
 */
export interface NotifyEnv {
  readonly type: 'pre' | 'post' | '';
  readonly operation: string;
  readonly start: readonly string[];
  readonly stop: readonly string[];
  readonly promote: readonly string[];
  readonly demote: readonly string[];
  readonly promoted: readonly string[];
  readonly unpromoted: readonly string[];
  readonly active: readonly string[];
}

function unames(meta: ReadonlyMap<string, string>, ...keys: string[]): string[] {
  for (const key of keys) {
    const value = meta.get(`notify_${key}_uname`);
    if (value !== undefined && value.trim() !== '') return value.trim().split(/\s+/);
  }
  return [];
}

export function readNotifyEnv(meta: ReadonlyMap<string, string>): NotifyEnv {
  const type = meta.get('notify_type');
  return {
    type: type === 'pre' || type === 'post' ? type : '',
    operation: meta.get('notify_operation') ?? '',
    start: unames(meta, 'start'),
    stop: unames(meta, 'stop'),
    promote: unames(meta, 'promote'),
    demote: unames(meta, 'demote'),
    promoted: unames(meta, 'promoted', 'master'),
    unpromoted: unames(meta, 'unpromoted', 'slave'),
    active: unames(meta, 'active'),
  };
}

/**
 * The instances that run once this transition's stops and starts are done: those that receive its
 * pre-promote notification, and so the partition a promotion compares positions across.
 */
export function runningAfterTransition(n: NotifyEnv): string[] {
  return [...new Set([...n.active, ...n.start])].filter((node) => !n.stop.includes(node)).sort();
}
