import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The layer order of docs/development.md, checked on every source file: an import points to a lower
// layer or stays in its own folder; there is no import cycle; only the runner ends the process and only
// the environment module reads the process's environment.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const LAYERS: Record<string, number> = {
  'shared/ocf': 0,
  'shared/process': 1,
  'shared/net': 1,
  'shared/cluster': 2,
  'shared/replication': 2,
  'shared/amqp': 2,
  'shared/mysql': 3,
  // Galera builds on the mysql family's server handling (launch, stop, greeting, SQL session).
  'shared/galera': 3.5,
  'shared/rabbitmq': 3,
  'shared/openstack': 3,
  agents: 4,
};

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const FILES = [...sources('shared'), ...sources('agents')];

/** Relative imports of source files (static, type-only, re-exports and dynamic), as repository paths; data (package.json) is no layer. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+\.ts)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => relative(ROOT, resolve(join(ROOT, dirname(file)), s)));
}

function layerOf(file: string): { folder: string; rank: number } {
  const folder = dirname(file);
  const rank = LAYERS[folder];
  if (rank === undefined) throw new Error(`${folder} has no layer in docs/development.md (add it to LAYERS there and here)`);
  return { folder, rank };
}

describe('the layers of shared/ and agents/', () => {
  it('every source folder has a layer', () => {
    for (const f of FILES) expect(() => layerOf(f)).not.toThrow();
  });

  it('no import points upward or sideways: only to a lower layer or within its own folder', () => {
    const violations: string[] = [];
    for (const file of FILES) {
      const from = layerOf(file);
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (to.folder !== from.folder && to.rank >= from.rank)
          violations.push(`${file} imports ${target} (layer ${from.rank} → ${to.rank})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('there is no import cycle', () => {
    const graph = new Map(FILES.map((f) => [f, importsOf(f)]));
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const f of FILES) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('only the runner calls process.exit', () => {
    expect(FILES.filter((f) => /process\.exit\s*\(/.test(readFileSync(join(ROOT, f), 'utf8')))).toEqual(['shared/ocf/run.ts']);
  });

  it('only the environment module and the runner read process.env', () => {
    const readers = FILES.filter((f) => /process\.env\b/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(readers.filter((f) => !['shared/ocf/environment.ts', 'shared/ocf/run.ts'].includes(f))).toEqual([]);
  });

  it('the checker sees imports: the mysql family reaches the ocf layer', () => {
    expect(importsOf('shared/mysql/promotable.ts')).toContain('shared/ocf/errors.ts');
  });
});
