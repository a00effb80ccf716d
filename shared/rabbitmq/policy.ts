/**
 * set_policy, as ocf:heartbeat:rabbitmq-cluster takes it: the arguments of `rabbitmqctl set_policy`
 * in one string. heartbeat splits it on blanks, so a definition with a blank inside broke there; here
 * the words after the name and the pattern are the definition, which must be a JSON object.
 */
export interface Policy {
  /** --vhost, --priority, --apply-to with their values, in the order given. */
  readonly options: readonly string[];
  readonly name: string;
  readonly pattern: string;
  readonly definition: string;
}

const OPTIONS = new Set(['--vhost', '-p', '--priority', '--apply-to']);

/** A word quoted as a shell would quote it ('…' or "…") loses the quotes: the string never passes through a shell. */
const unquote = (w: string) => (/^(['"]).*\1$/s.test(w) && w.length >= 2 ? w.slice(1, -1) : w);

export function parsePolicy(text: string): Policy {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const options: string[] = [];
  let i = 0;
  while (i < words.length && words[i]!.startsWith('-')) {
    const [flag, inline] = words[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!OPTIONS.has(flag)) throw new TypeError(`set_policy: unknown option ${flag} (known: ${[...OPTIONS].join(', ')})`);
    const value = inline ?? words[i + 1];
    if (value === undefined) throw new TypeError(`set_policy: ${flag} needs a value`);
    options.push(flag, unquote(value));
    i += inline === undefined ? 2 : 1;
  }
  const [name, pattern, ...rest] = words.slice(i);
  if (!name || !pattern || rest.length === 0) throw new TypeError('set_policy must be "[options] name pattern definition"');
  const definition = unquote(rest.join(' '));
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch {
    throw new TypeError(`set_policy: the definition ${JSON.stringify(definition)} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new TypeError('set_policy: the definition must be a JSON object, e.g. {"queue-mode":"lazy"}');
  return { options, name: unquote(name), pattern: unquote(pattern), definition };
}

/** The argv after `rabbitmqctl`: set_policy [options] name pattern definition. */
export function policyArgs(p: Policy): string[] {
  return ['set_policy', ...p.options, p.name, p.pattern, p.definition];
}
