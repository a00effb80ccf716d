/**
 * Typed parameter declarations. A declaration is data: the meta-data, the usage text and the
 * parser of OCF_RESKEY_* are all generated from it.
 */
export type ParameterType = 'string' | 'integer' | 'boolean' | 'seconds' | 'select';

interface ParameterFields<D> {
  readonly type: ParameterType;
  readonly shortdesc: string;
  readonly longdesc: string;
  readonly default?: D;
  readonly required?: boolean;
  readonly unique?: boolean;
  /** Can change without a restart (OCF 1.1 reload-agent). */
  readonly reloadable?: boolean;
  /** Never logged, never in an exit reason or argv. */
  readonly secret?: boolean;
  /** Only monitor reads it: stop proceeds when it is missing or invalid. */
  readonly monitorOnly?: boolean;
  /**
   * A program: a bare name (no slash) is looked up on the PATH the agent was given, as the shell
   * agents do; one found nowhere stays bare, and the family's validation reports it not installed (5).
   */
  readonly executable?: boolean;
  /** Other names accepted for it (e.g. Percona PRM's spelling). */
  readonly aliases?: readonly string[];
  /** For select: the allowed values. */
  readonly options?: readonly string[];
}

export interface ParameterDeclaration<T = unknown> extends ParameterFields<string | number | boolean> {
  /** Phantom field carrying the parsed type. */
  readonly __type?: T;
}

type Describe<D> = Omit<ParameterFields<D>, 'type' | 'options'>;

/** Parsed value type: optional unless it has a default or is required. */
type Valued<T, O> = O extends { default: unknown } ? T : O extends { required: true } ? T : T | undefined;

export function string<const O extends Describe<string>>(o: O): ParameterDeclaration<Valued<string, O>> {
  return { ...o, type: 'string' };
}

export function integer<const O extends Describe<number>>(o: O): ParameterDeclaration<Valued<number, O>> {
  return { ...o, type: 'integer' };
}

/** A duration in seconds; accepts "30", "30s", "2min", "1h", "500ms" and stores whole seconds. */
export function seconds<const O extends Describe<number>>(o: O): ParameterDeclaration<Valued<number, O>> {
  return { ...o, type: 'seconds' };
}

export function boolean<const O extends Describe<boolean>>(o: O): ParameterDeclaration<Valued<boolean, O>> {
  return { ...o, type: 'boolean' };
}

export function select<const V extends string, const O extends Describe<V>>(
  options: readonly V[],
  o: O,
): ParameterDeclaration<Valued<V, O>> {
  return { ...o, type: 'select', options };
}

export type ParameterTable = Readonly<Record<string, ParameterDeclaration>>;

export type ParameterValues<P extends ParameterTable> = {
  readonly [K in keyof P]: P[K] extends ParameterDeclaration<infer T> ? T : never;
};

/** The value's text in the caller's words, for messages that must name what was given. */
function given(raw: string): string {
  return JSON.stringify(raw);
}

/** Parses one raw value; throws a TypeError whose message says what was expected and what was given. */
export function parseValue(name: string, decl: ParameterDeclaration, raw: string): unknown {
  const shown = decl.secret ? '(secret value withheld)' : given(raw);
  switch (decl.type) {
    case 'string':
      return raw;
    case 'integer': {
      const text = raw.trim();
      if (!/^[-+]?\d+$/.test(text)) {
        throw new TypeError(`parameter ${name} expects an integer, got ${shown}`);
      }
      const value = Number(text);
      if (!Number.isSafeInteger(value)) {
        throw new TypeError(`parameter ${name} expects an integer, got ${shown} (out of range)`);
      }
      return value;
    }
    case 'seconds':
      return parseSeconds(name, raw, shown);
    case 'boolean':
      return parseBoolean(name, raw, shown);
    case 'select': {
      const options = decl.options ?? [];
      if (!options.includes(raw)) {
        throw new TypeError(`parameter ${name} expects one of ${options.join(', ')}, got ${shown}`);
      }
      return raw;
    }
  }
}

// The spellings ocf_is_true and crm_is_true accept (oslo.config's and openrc's are among them).
const TRUE = new Set(['1', 'true', 'yes', 'on', 'y']);
const FALSE = new Set(['0', 'false', 'no', 'off', 'n']);

/** The one boolean truth table: true, false, or undefined for anything else. */
export function booleanOf(text: string | undefined): boolean | undefined {
  const t = text?.trim().toLowerCase() ?? '';
  return TRUE.has(t) ? true : FALSE.has(t) ? false : undefined;
}

function parseBoolean(name: string, raw: string, shown: string): boolean {
  const value = booleanOf(raw);
  if (value === undefined) throw new TypeError(`parameter ${name} expects a boolean (true/false, yes/no, 1/0), got ${shown}`);
  return value;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  '': 1,
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  ms: 0.001,
  msec: 0.001,
  m: 60,
  min: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hour: 3600,
  hours: 3600,
};

function parseSeconds(name: string, raw: string, shown: string): number {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(raw);
  const factor = match ? UNIT_SECONDS[match[2]!.toLowerCase()] : undefined;
  if (!match || factor === undefined) {
    throw new TypeError(`parameter ${name} expects a number of seconds (e.g. 30, 30s, 2min), got ${shown}`);
  }
  return Math.ceil(Number(match[1]) * factor);
}

/** The default as meta-data shows it. */
export function defaultText(decl: ParameterDeclaration): string | undefined {
  if (decl.default === undefined) return undefined;
  if (decl.type === 'boolean') return decl.default ? 'true' : 'false';
  return String(decl.default);
}
