import type { OcfCode } from './exit-codes.ts';
import type { Deadline } from './deadline.ts';
import type { OcfEnvironment } from './environment.ts';
import type { Logger } from './log.ts';
import { parseValue, type ParameterTable, type ParameterValues } from './parameters.ts';
import { TSHA_VERSION } from './version.ts';

/** What every handler receives: typed parameters, the caller's environment, its deadline and a logger. */
export interface ActionContext<P extends ParameterTable> {
  readonly action: string;
  readonly params: ParameterValues<P>;
  readonly env: OcfEnvironment;
  readonly deadline: Deadline;
  readonly log: Logger;
  /** A monitor with interval 0: answers for this node only, quiet about absence. */
  readonly probe: boolean;
  /** OCF_CHECK_LEVEL, 0 when absent. */
  readonly depth: number;
}

/**
 * What a handler returns: a code, or a code with a reason (an exit reason for Pacemaker, e.g. why a
 * monitor says DEGRADED) or a note (shown only to a person running the agent by hand).
 */
export type Outcome = OcfCode | { readonly code: OcfCode; readonly reason?: string; readonly note?: string };

export type Handler<P extends ParameterTable> = (ctx: ActionContext<P>) => Promise<Outcome>;

/** Validation runs before an action; it throws an OcfError or returns. */
export type Validator<P extends ParameterTable> = (ctx: ActionContext<P>, scope: ValidationScope) => Promise<void>;

/**
 * How far validation reaches. `parameters`: consistency of the values alone (OCF check level 0, usable
 * on a node that never runs the resource). `local`: this node's environment too (level 10).
 */
export type ValidationScope = 'parameters' | 'local';

export type ActionName =
  'start' | 'stop' | 'monitor' | 'promote' | 'demote' | 'notify' | 'reload' | 'reload-agent' | 'migrate_to' | 'migrate_from';

/** One advertised operation as meta-data lists it; monitor may appear several times (depths, roles). */
export interface AdvertisedOperation {
  /** Seconds. */
  readonly timeout: number;
  /** Seconds; recurring operations only. */
  readonly interval?: number;
  readonly depth?: number;
  readonly role?: 'Promoted' | 'Unpromoted';
}

export interface ActionDeclaration<P extends ParameterTable> {
  readonly run: Handler<P>;
  readonly timeout: number;
  readonly interval?: number;
  readonly depth?: number;
  /** Extra meta-data entries for the same action (other depths or roles). */
  readonly also?: readonly AdvertisedOperation[];
  /** Validation scope before the action; `none` skips it (stop must not fail on monitoring inputs). */
  readonly validate?: ValidationScope | 'none';
}

export interface AgentDeclaration<P extends ParameterTable> {
  readonly name: string;
  /** Defaults to tsha's own (package.json); only test agents give another. */
  readonly version?: string;
  readonly shortdesc: string;
  readonly longdesc: string;
  readonly parameters: P;
  readonly actions: { readonly [A in ActionName]?: ActionDeclaration<P> };
  readonly validate: Validator<P>;
  /** Timeouts (seconds) for the generated actions; validate-all's defaults to DEFAULT_VALIDATE_TIMEOUT. */
  readonly validateTimeout?: number;
  readonly metadataTimeout?: number;
}

export interface Agent<P extends ParameterTable> extends AgentDeclaration<P> {
  readonly version: string;
  /** Parameter names and aliases to their canonical name. */
  readonly names: ReadonlyMap<string, keyof P & string>;
}

/** Seconds: validate-all's timeout, and any action's when neither Pacemaker nor the declaration gives one. */
export const DEFAULT_VALIDATE_TIMEOUT = 20;

const NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Freezes a declaration after checking it, so a malformed agent fails its unit test and its first
 * meta-data call rather than a cluster operation.
 */
export function defineAgent<const P extends ParameterTable>(decl: AgentDeclaration<P>): Agent<P> {
  const problems: string[] = [];
  const names = new Map<string, keyof P & string>();
  const claim = (alias: string, owner: keyof P & string) => {
    if (names.has(alias)) problems.push(`parameter ${alias} defined twice`);
    names.set(alias, owner);
  };
  if (!/^[a-z][a-z0-9-]*$/.test(decl.name)) problems.push(`agent name ${JSON.stringify(decl.name)} is not a valid agent type`);
  if (Object.keys(decl.parameters).length === 0) problems.push('an agent needs at least one parameter (OCF 1.1 meta-data requires one)');
  for (const [name, p] of Object.entries(decl.parameters)) {
    const owner = name as keyof P & string;
    if (!NAME.test(name)) problems.push(`parameter name ${JSON.stringify(name)} is not lower_snake_case`);
    claim(name, owner);
    for (const alias of p.aliases ?? []) claim(alias, owner);
    if (p.required && p.default !== undefined) problems.push(`parameter ${name} is required and has a default`);
    if (!p.shortdesc.trim() || !p.longdesc.trim()) problems.push(`parameter ${name} lacks a description`);
    if (p.secret && p.default !== undefined && p.default !== '') problems.push(`secret parameter ${name} has a default`);
    if (p.type === 'select' && (p.options ?? []).length === 0) problems.push(`select parameter ${name} has no options`);
    if (p.default !== undefined) {
      try {
        const text = String(p.default);
        const parsed = parseValue(name, p, text);
        if (parsed !== p.default) problems.push(`parameter ${name}: default ${text} parses to ${String(parsed)}`);
      } catch (error) {
        problems.push(`parameter ${name}: default does not parse: ${(error as Error).message}`);
      }
    }
  }
  for (const required of ['start', 'stop', 'monitor'] as const) {
    if (!decl.actions[required]) problems.push(`action ${required} is mandatory`);
  }
  const intervals = new Set<number>();
  for (const [action, a] of Object.entries(decl.actions) as [string, ActionDeclaration<P> | undefined][]) {
    if (!a) continue;
    for (const op of [a, ...(a.also ?? [])]) {
      if (!(op.timeout > 0)) problems.push(`action ${action} has no timeout`);
      if (action === 'monitor' && op.interval !== undefined) {
        // Pacemaker keys operations by name and interval: two monitors with one interval collide.
        if (intervals.has(op.interval)) problems.push(`monitor interval ${op.interval}s advertised twice`);
        intervals.add(op.interval);
      }
    }
  }
  if ((decl.actions.promote === undefined) !== (decl.actions.demote === undefined)) {
    problems.push('promote and demote come together');
  }
  if (problems.length > 0) {
    throw new Error(`agent ${decl.name} declaration is invalid: ${problems.join('; ')}`);
  }
  return Object.freeze({ ...decl, version: decl.version ?? TSHA_VERSION, names });
}
