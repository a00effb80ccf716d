import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.ts';

// What crm_mon shows an operator is the exit reason: the message of the OcfError an action throws, or
// the reason of an outcome it returns. Pacemaker keeps 128 characters of it (EXIT_REASON_MAX_LEN), on
// one line. This test collects every such text the agents can emit, from the source, and checks that
// each is one line that fits, with room for what it names (a path, a parameter value, a node).

/** A placeholder (`${...}`) counts as this many characters: a typical name, value or short path. */
const PLACEHOLDER = 16;
const MAX = 128;

const ERRORS = [
  'GenericError',
  'ArgsError',
  'UnimplementedError',
  'PermissionError',
  'NotInstalledError',
  'ConfigurationError',
  'DeadlineError',
];

interface Emitted {
  readonly where: string;
  /** The literal text, placeholders shown as ${}. */
  readonly text: string;
  readonly placeholders: number;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) return sources(path);
    return f.endsWith('.ts') ? [path] : [];
  });
}

/** Reads a string or template literal starting at `start` (its quote); undefined if none starts there. */
function literalAt(src: string, start: number): { text: string; placeholders: number; end: number } | undefined {
  const quote = src[start];
  if (quote !== "'" && quote !== '"' && quote !== '`') return undefined;
  let text = '';
  let placeholders = 0;
  let i = start + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      text += src[i + 1] === 'n' ? '\n' : src[i + 1];
      i += 2;
      continue;
    }
    if (c === quote) return { text, placeholders, end: i + 1 };
    if (quote === '`' && c === '$' && src[i + 1] === '{') {
      // Skip the expression, nested braces and strings included.
      let depth = 1;
      i += 2;
      while (i < src.length && depth > 0) {
        const d = src[i]!;
        if (d === '{') depth++;
        else if (d === '}') depth--;
        else if (d === "'" || d === '"' || d === '`') {
          i = literalAt(src, i)?.end ?? i + 1;
          continue;
        }
        i++;
      }
      text += '${}';
      placeholders++;
      continue;
    }
    text += c;
    i++;
  }
  return undefined;
}

/** The literal (or literals joined by +) an expression at `start` begins with. */
function messageAt(src: string, start: number): { text: string; placeholders: number } | undefined {
  let i = start;
  let text = '';
  let placeholders = 0;
  for (;;) {
    while (/\s/.test(src[i] ?? '')) i++;
    const lit = literalAt(src, i);
    if (!lit) return text === '' ? undefined : { text, placeholders };
    text += lit.text;
    placeholders += lit.placeholders;
    i = lit.end;
    while (/\s/.test(src[i] ?? '')) i++;
    if (src[i] !== '+') return { text, placeholders };
    i++;
  }
}

function collect(): { emitted: Emitted[]; dynamic: string[] } {
  const emitted: Emitted[] = [];
  const dynamic: string[] = [];
  const pattern = new RegExp(`new (?:${ERRORS.join('|')})\\(|\\breason: `, 'g');
  for (const file of [...sources(join(ROOT, 'shared')), ...sources(join(ROOT, 'agents'))]) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(pattern)) {
      const at = m.index + m[0].length;
      const line = src.slice(0, m.index).split('\n').length;
      const where = `${relative(ROOT, file)}:${line}`;
      const message = messageAt(src, at);
      if (message) emitted.push({ where, ...message });
      // `reason: string` in a type, or no reason at all.
      else if (/^(string|undefined|OcfCode)\b/.test(src.slice(at))) continue;
      else dynamic.push(`${where}: ${src.slice(at, src.indexOf('\n', at)).trim()}`);
    }
  }
  return { emitted, dynamic };
}

const { emitted, dynamic } = collect();

describe('every exit reason the agents can emit is one line an operator can act on', () => {
  it('finds the exit reasons (the collector works)', () => {
    expect(emitted.length).toBeGreaterThan(100);
    expect(emitted.some((e) => e.text.startsWith('parameter ${} must be an absolute path'))).toBe(true);
  });

  it('none spans lines', () => {
    expect(emitted.filter((e) => e.text.includes('\n')).map((e) => e.where)).toEqual([]);
  });

  it(`each fits crm_mon's ${MAX} characters with ${PLACEHOLDER} for each value it names`, () => {
    const long = emitted
      .map((e) => ({ ...e, length: e.text.replaceAll('${}', '').length + PLACEHOLDER * e.placeholders }))
      .filter((e) => e.length > MAX)
      .map((e) => `${e.where} (${e.length}): ${e.text}`);
    expect(long).toEqual([]);
  });

  it('none carries a stack trace or an internal object dump', () => {
    expect(emitted.filter((e) => /\bstack\b|\[object |at .*\.ts:\d/.test(e.text)).map((e) => e.where)).toEqual([]);
  });

  // Reasons passed on from elsewhere (a verdict's reason, a caught error's message) are checked where
  // they are written; the runner makes whatever arrives one line (run.ts oneLine).
  it('the reasons passed on rather than written here are the known ones', () => {
    expect(dynamic.map((d) => d.replace(/:\d+: /, ': ').replace(/[;,)}\s]+$/, ''))).toEqual(PASSED_ON);
  });
});

/**
 * Exit reasons handed on from where they were written (and checked there, above): verdicts of the pure
 * decisions, a parameter problem, the runner's pass-through of an error or an outcome. A new entry here
 * means a reason whose text this test cannot see: check it by hand, then add it.
 */
const PASSED_ON = [
  'shared/galera/monitor.ts: describeVerdict(verdict, self',
  'shared/galera/monitor.ts: verdict.reason',
  'shared/galera/monitor.ts: verdict.reason',
  'shared/mysql/role-monitor.ts: held',
  'shared/mysql/role-monitor.ts: verdict.reason',
  'shared/ocf/read-parameters.ts: first.value',
  'shared/ocf/run.ts: outcome.reason, note: outcome.note',
  'shared/ocf/run.ts: error.message, note: undefined',
  'shared/ocf/run.ts: error.message, note: undefined',
  'shared/openstack/checks.ts: error.message',
  'shared/openstack/checks.ts: error.message',
  'shared/openstack/service-agent.ts: (error as Error).message, { cause: error',
  'shared/process/pid-file.ts: state.detail',
  // parsePolicy's TypeError: set_policy's own words (shared/rabbitmq/policy.ts).
  'shared/rabbitmq/actions.ts: (error as Error).message, { cause: error',
  'shared/rabbitmq/cluster.ts: verdict.reason',
  'shared/rabbitmq/cluster.ts: verdict.reason',
  "shared/rabbitmq/decide.ts: problems.join('; '",
  'shared/replication/decide.ts: error',
  'shared/replication/decide.ts: health.reason',
];
