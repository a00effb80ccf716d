'use strict';
// Loader for a module that travels inside an agent as a string (see bundle.mjs). It is compiled only
// when first required, and its V8 code cache — taken at exit, so it holds the functions that actually
// ran — is kept in a root-only folder, so later runs skip parsing and compiling (~40 ms for mysql2).
const vm = require('node:vm');
const fs = require('node:fs');
const path = require('node:path');

// A library the usual actions never load travels brotli-compressed (bundle.mjs): its few bytes are read on
// every run, node:zlib and the decompression are paid only by the run that uses it.
const TEXT = __CODE__;
const CODE = __COMPRESSED__ ? require('node:zlib').brotliDecompressSync(Buffer.from(TEXT, 'base64')).toString('utf8') : TEXT;
const CACHE_DIR = process.env.TSHA_CACHE_DIR || '/var/cache/tsha';
const cacheFile = path.join(CACHE_DIR, `${__NAME__}-${__HASH__}-${process.version}.v8cache`);

/** Only a cache that root owns and no one else can write is trusted. */
function trustedCache() {
  try {
    const st = fs.statSync(cacheFile);
    const dir = fs.statSync(CACHE_DIR);
    if (st.uid !== 0 || dir.uid !== 0 || (st.mode & 0o022) !== 0 || (dir.mode & 0o022) !== 0) return undefined;
    return fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

const cached = process.getuid && process.getuid() === 0 ? trustedCache() : undefined;
const script = new vm.Script(`(function (module, exports, require) {${CODE}\n})`, {
  filename: `${__NAME__}.js`,
  ...(cached ? { cachedData: cached } : {}),
});
if ((!cached || script.cachedDataRejected) && process.getuid && process.getuid() === 0) {
  process.once('exit', () => {
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
      // Created exclusively under a name no other writer has: lab nodes share the folder from their own
      // PID namespaces, where two writers can have the same pid.
      const tmp = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
      fs.renameSync(tmp, cacheFile);
    } catch {
      // No cache: the next run compiles again; nothing else changes.
    }
  });
}
const m = { exports: {} };
script.runInThisContext()(m, m.exports, require);
module.exports = m.exports;
