import type { Agent } from './agent.ts';
import { ConfigurationError } from './errors.ts';
import { parseValue, type ParameterTable, type ParameterValues } from './parameters.ts';

export interface ParameterReading<P extends ParameterTable> {
  readonly values: ParameterValues<P>;
  /** Inherently invalid values (OCF_ERR_CONFIGURED), by parameter. */
  readonly problems: ReadonlyMap<keyof P & string, string>;
  /** OCF_RESKEY_* names no parameter claims. */
  readonly unknown: readonly string[];
  /** Secret values given, to keep out of logs and exit reasons. */
  readonly secrets: readonly string[];
}

/**
 * Types every OCF_RESKEY_* value by its declaration. An alias (say Percona's spelling) counts only when
 * the canonical name is absent. A value that does not parse is a problem for the caller to weigh: most
 * actions refuse it (6), stop ignores it for monitoring-only parameters.
 */
export function readParameters<P extends ParameterTable>(agent: Agent<P>, reskeys: ReadonlyMap<string, string>): ParameterReading<P> {
  const values: Record<string, unknown> = {};
  const problems = new Map<keyof P & string, string>();
  const secrets: string[] = [];
  const raw = new Map<string, string>();
  const unknown: string[] = [];
  for (const [key, value] of reskeys) {
    const owner = agent.names.get(key);
    if (owner === undefined) {
      unknown.push(key);
      continue;
    }
    if (key === owner || !raw.has(owner)) raw.set(owner, value);
  }
  for (const [name, decl] of Object.entries(agent.parameters)) {
    const text = raw.get(name);
    if (decl.secret && text) secrets.push(text);
    // An empty value is how crm shells unset a parameter: it means "use the default".
    if (text === undefined || (text === '' && decl.type !== 'string')) {
      values[name] = decl.default;
      if (decl.required) problems.set(name, `parameter ${name} is required and was not given`);
      continue;
    }
    if (text === '' && decl.required) {
      problems.set(name, `parameter ${name} is required and was given empty`);
    }
    try {
      values[name] = parseValue(name, decl, text);
    } catch (error) {
      values[name] = decl.default;
      problems.set(name, (error as Error).message);
    }
  }
  return { values: values as ParameterValues<P>, problems, unknown, secrets };
}

/** Throws the first problem as a configuration error, or returns. */
export function assertNoProblems(problems: ReadonlyMap<string, string>): void {
  const first = problems.values().next();
  if (!first.done) throw new ConfigurationError(first.value);
}
