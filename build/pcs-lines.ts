/**
 * Translates crm configuration text into pcs 0.11 commands (Debian 12's pcs), for the subset of crm
 * syntax the lab's control plane uses: primitive (params, meta, op with op attributes such as
 * OCF_CHECK_LEVEL and role), stonith primitives, group, clone, ms, colocation, order, location (node
 * score or rule), property and rsc_defaults. Pure: crm text in, argv lists out (without the leading
 * `pcs`); anything outside the subset throws, so the README never shows a guessed translation.
 *
 * test/integration/crm-pcs.test.ts applies both to empty CIBs and compares what they built.
 */
import { splitWords } from '../shared/ocf/words.ts';

export type Argv = readonly string[];

interface Primitive {
  readonly kind: 'primitive';
  readonly id: string;
  readonly agent: string;
  readonly params: string[];
  readonly meta: string[];
  readonly ops: string[][];
}

interface Container {
  readonly kind: 'group' | 'clone' | 'ms';
  readonly id: string;
  readonly members: string[];
  readonly meta: string[];
}

type Statement = Primitive | Container | { readonly kind: 'other'; readonly words: string[] };

/** Splits crm text into statements (continuation lines joined), each a list of words, quotes removed as a shell would. */
export function crmStatements(crm: string): string[][] {
  const joined = crm.replace(/\\\n/g, ' ');
  const out: string[][] = [];
  for (const line of joined.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    out.push(splitWords(trimmed));
  }
  return out;
}

/** Crm's role names (Pacemaker 1.x and OCF 1.1) in pcs 0.11's spelling. */
const ROLES: Record<string, string> = {
  Master: 'Promoted',
  Slave: 'Unpromoted',
  Promoted: 'Promoted',
  Unpromoted: 'Unpromoted',
  Started: 'Started',
  Stopped: 'Stopped',
};
/** Meta attributes that have a newer name, which pcs 0.11 expects for promotable clones. */
const META_NAMES: Record<string, string> = { 'master-max': 'promoted-max', 'master-node-max': 'promoted-node-max' };
const SECTIONS = new Set(['params', 'meta', 'op']);

function role(name: string): string {
  const r = ROLES[name];
  if (!r) throw new Error(`unknown role ${name}`);
  return r;
}

function score(s: string): string {
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return 'INFINITY';
  if (lower === '-inf' || lower === '-infinity') return '-INFINITY';
  if (/^-?\d+$/.test(s)) return s;
  throw new Error(`unsupported score ${s}`);
}

function pairs(list: readonly string[], what: string): string[] {
  for (const p of list) if (!/^[^=\s]+=/.test(p)) throw new Error(`${what}: expected name=value, got "${p}"`);
  return [...list];
}

function parsePrimitive(w: string[]): Primitive {
  const [, id, agent, ...rest] = w;
  if (!id || !agent) throw new Error(`primitive needs an id and an agent: ${w.join(' ')}`);
  const params: string[] = [];
  const meta: string[] = [];
  const ops: string[][] = [];
  let section: string[] | undefined;
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (word === 'params') section = params;
    else if (word === 'meta') section = meta;
    else if (word === 'op') {
      const name = rest[++i];
      if (!name || SECTIONS.has(name)) throw new Error(`op without an action in primitive ${id}`);
      section = [name];
      ops.push(section);
    } else if (section) section.push(word);
    else throw new Error(`primitive ${id}: "${word}" outside params, meta or op`);
  }
  for (const op of ops) pairs(op.slice(1), `op ${op[0]} of ${id}`);
  return { kind: 'primitive', id, agent, params: pairs(params, `params of ${id}`), meta: pairs(meta, `meta of ${id}`), ops };
}

function parseContainer(kind: Container['kind'], w: string[]): Container {
  const [, id, ...rest] = w;
  const at = rest.indexOf('meta');
  const members = at < 0 ? rest : rest.slice(0, at);
  const meta = at < 0 ? [] : pairs(rest.slice(at + 1), `meta of ${id}`);
  if (!id || members.length === 0 || (kind !== 'group' && members.length !== 1)) throw new Error(`bad ${kind}: ${w.join(' ')}`);
  return { kind, id, members, meta };
}

function parse(crm: string): Statement[] {
  return crmStatements(crm).map((w) => {
    switch (w[0]) {
      case 'primitive':
        return parsePrimitive(w);
      case 'group':
      case 'clone':
      case 'ms':
        return parseContainer(w[0], w);
      default:
        return { kind: 'other', words: w };
    }
  });
}

/** `name=value` pairs with crm's older meta names replaced by pcs 0.11's. */
function renamed(list: readonly string[]): string[] {
  return list.map((p) => {
    const [name] = p.split('=', 1);
    const to = META_NAMES[name!];
    return to ? `${to}${p.slice(name!.length)}` : p;
  });
}

function opWords(ops: readonly string[][]): string[] {
  return ops.flatMap(([name, ...attrs]) => ['op', name!, ...attrs.map((a) => (a.startsWith('role=') ? `role=${role(a.slice(5))}` : a))]);
}

/** `clone` / `promotable` after a primitive's create words: the clone made with the primitive. */
function create(p: Primitive, group?: string, clone: readonly string[] = []): Argv {
  const meta = p.meta.length > 0 ? ['meta', ...p.meta] : [];
  if (p.agent.startsWith('stonith:')) {
    if (group) throw new Error(`stonith resource ${p.id} in group ${group}`);
    return ['stonith', 'create', p.id, p.agent.slice('stonith:'.length), ...p.params, ...opWords(p.ops), ...meta];
  }
  // --no-default-ops: crm adds no operations of its own, so neither may pcs (it would add the agent's
  // advertised start/stop/promote/... timeouts), or the two clusters would differ.
  return [
    'resource',
    'create',
    p.id,
    p.agent,
    ...p.params,
    ...opWords(p.ops),
    ...meta,
    ...clone,
    ...(group ? ['--group', group] : []),
    '--no-default-ops',
  ];
}

function constraint(w: string[]): Argv {
  const [kind, id, ...rest] = w;
  const head = rest[0] ?? '';
  if (kind === 'colocation') {
    if (rest.length !== 3 || !head.endsWith(':')) throw new Error(`unsupported colocation: ${w.join(' ')}`);
    const [rsc, rscRole] = rest[1]!.split(':');
    const [withRsc, withRole] = rest[2]!.split(':');
    return [
      'constraint',
      'colocation',
      'add',
      ...(rscRole ? [role(rscRole)] : []),
      rsc!,
      'with',
      ...(withRole ? [role(withRole)] : []),
      withRsc!,
      score(head.slice(0, -1)),
      `id=${id}`,
    ];
  }
  if (kind === 'order') {
    if (rest.length < 3 || !head.endsWith(':')) throw new Error(`unsupported order: ${w.join(' ')}`);
    const k = head.slice(0, -1);
    const kinds: Record<string, string> = {
      Mandatory: 'Mandatory',
      Optional: 'Optional',
      Serialize: 'Serialize',
      inf: 'Mandatory',
      '0': 'Optional',
    };
    const pcsKind = kinds[k];
    if (!pcsKind) throw new Error(`unsupported order kind ${k}`);
    const options = rest.slice(3);
    if (rest.length > 4 || options.some((o) => !/^symmetrical=(true|false)$/.test(o))) throw new Error(`unsupported order: ${w.join(' ')}`);
    const [first, firstAction = 'start'] = rest[1]!.split(':');
    const [then, thenAction = 'start'] = rest[2]!.split(':');
    return ['constraint', 'order', firstAction, first!, 'then', thenAction, then!, `kind=${pcsKind}`, ...options, `id=${id}`];
  }
  // location
  const rsc = head;
  if (rest[1] === 'rule') {
    const s = rest[2];
    if (!s?.endsWith(':')) throw new Error(`unsupported location rule: ${w.join(' ')}`);
    return ['constraint', 'location', rsc, 'rule', `constraint-id=${id}`, `score=${score(s.slice(0, -1))}`, ...rest.slice(3)];
  }
  if (rest.length !== 3 || !rest[1]!.endsWith(':')) throw new Error(`unsupported location: ${w.join(' ')}`);
  // A negative score after `--`, or pcs takes it for an option.
  const value = score(rest[1]!.slice(0, -1));
  return ['constraint', 'location', 'add', id!, rsc, rest[2]!, ...(value.startsWith('-') ? ['--', value] : [value])];
}

function other(w: string[]): Argv {
  switch (w[0]) {
    case 'colocation':
    case 'order':
    case 'location':
      return constraint(w);
    case 'property': {
      const list = w[1]?.endsWith(':') ? w.slice(2) : w.slice(1);
      return ['property', 'set', ...pairs(list, 'property')];
    }
    case 'rsc_defaults':
      return ['resource', 'defaults', 'update', ...pairs(w.slice(1), 'rsc_defaults')];
    default:
      throw new Error(`no pcs translation for crm "${w[0]}" (${w.join(' ')})`);
  }
}

/**
 * The pcs commands that build what `crm configure load update` builds from `crm`. A group's members
 * are created at the group's line, in its order (`--group`), a clone's child at the clone's line.
 */
export function crmToPcs(crm: string): Argv[] {
  const statements = parse(crm);
  const primitives = new Map<string, Primitive>();
  const groups = new Set<string>();
  const contained = new Set<string>();
  for (const s of statements) {
    if (s.kind === 'primitive') primitives.set(s.id, s);
    if (s.kind === 'group') groups.add(s.id);
    if (s.kind === 'group' || s.kind === 'clone' || s.kind === 'ms') for (const m of s.members) contained.add(m);
  }
  const out: Argv[] = [];
  const child = (id: string, as: string): Primitive | undefined => {
    const p = primitives.get(id);
    if (!p && !groups.has(id)) throw new Error(`${as}: no primitive or group ${id}`);
    return p;
  };
  for (const s of statements) {
    if (s.kind === 'primitive') {
      if (!contained.has(s.id)) out.push(create(s));
    } else if (s.kind === 'group') {
      for (const m of s.members) {
        const p = primitives.get(m);
        if (!p) throw new Error(`group ${s.id}: no primitive ${m}`);
        out.push(create(p, s.id));
      }
      if (s.meta.length > 0) out.push(['resource', 'meta', s.id, ...s.meta]);
    } else if (s.kind === 'clone' || s.kind === 'ms') {
      const m = s.members[0]!;
      const meta = renamed(s.meta);
      const clone = [
        s.kind === 'ms' || meta.includes('promotable=true') ? 'promotable' : 'clone',
        s.id,
        ...meta.filter((x) => x !== 'promotable=true'),
      ];
      // A cloned primitive is created with its clone (pcs checks the agent again for a later one).
      const p = child(m, s.id);
      out.push(p ? create(p, undefined, clone) : ['resource', clone[0]!, m, ...clone.slice(1)]);
    } else if (s.kind === 'other') out.push(other(s.words));
  }
  return out;
}

const PLAIN = /^[\w@%+=:,./…-]+$/u;

/** One argv word as the shell needs it: plain, or its value (after `name=`) in double quotes. */
export function shellWord(word: string): string {
  if (PLAIN.test(word)) return word;
  const quote = (s: string) => `"${s.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
  const eq = /^[\w-]+=/.exec(word);
  return eq ? `${eq[0]}${quote(word.slice(eq[0].length))}` : quote(word);
}

/**
 * Words joined into lines of at most `width` characters where they allow, continued with ` \`, each
 * break before one of `breakBefore` (op, meta, …) when the line is long, continuation lines indented.
 */
export function wrapWords(
  list: readonly string[],
  width = 100,
  breakBefore: ReadonlySet<string> = new Set(['op', 'meta', 'params']),
): string {
  const lines: string[] = [];
  let line = '';
  for (const word of list) {
    const early = breakBefore.has(word) && line.length > width / 2;
    if (line === '') line = word;
    else if (early || line.length + 1 + word.length > width) {
      lines.push(line);
      line = `    ${word}`;
    } else line += ` ${word}`;
  }
  if (line) lines.push(line);
  return lines.join(' \\\n');
}

/** The pcs commands as shell lines, long ones continued with `\`. */
export function pcsText(commands: readonly Argv[]): string {
  return commands.map((argv) => wrapWords(['pcs', ...argv.map(shellWord)])).join('\n');
}

/** Crm text with each statement on lines of readable length, quotes where values need them. */
export function crmText(crm: string): string {
  return crmStatements(crm)
    .map((w) => wrapWords(w.map(shellWord)))
    .join('\n');
}
