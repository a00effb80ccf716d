'use strict';
// ocf:tsha:__NAME__, as Pacemaker calls it. The agent is __BODY__ (install.sh, build/README.md), compiled
// and run from here with a V8 code cache of the functions that the same action ran before: a run
// compiles only what the cache lacks. The cache is kept in a folder only root can write (a cache is
// code the agent runs); any problem with it only means compiling afresh.
const fs = require('node:fs');

const BODY = '__BODY__';

// The agent's meta-data as this build's bundle prints it, for OCF 1.0 and 1.1 (build/bundle.mjs fills it
// in; left as null, every call goes to the bundle). Pacemaker, crm and pcs ask for meta-data often and it
// never changes between runs: answered from here, the call neither reads nor compiles the agent's code.
const META_DATA = /*__META_DATA__*/ null;

/**
 * Which of META_DATA's versions the caller gets, chosen as shared/ocf/environment.ts chooses (1.1 for a
 * caller that says it speaks 1.1 or later, 1.0 otherwise), or undefined for a version written in any
 * other form than plain digits: the bundle then decides, as it always did.
 */
function metaDataVersion(env) {
  const major = (env.OCF_RA_VERSION_MAJOR ?? '').trim();
  const minor = (env.OCF_RA_VERSION_MINOR ?? '').trim();
  if (major === '') return '1.0';
  if (!/^\d{1,6}$/.test(major) || !/^\d{0,6}$/.test(minor)) return undefined;
  const [M, m] = [Number(major), Number(minor || '0')];
  return M > 1 || (M === 1 && m >= 1) ? '1.1' : '1.0';
}

/** Writes `text` to standard output as shared/ocf/stdio.ts does (a refused write goes through the stream). */
function writeOut(text) {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  try {
    while (offset < bytes.length) offset += fs.writeSync(1, bytes, offset);
  } catch (error) {
    if (error.code !== 'EAGAIN') throw error;
    process.stdout.write(bytes.subarray(offset));
  }
}

const version = META_DATA !== null && process.argv[2] === 'meta-data' ? metaDataVersion(process.env) : undefined;
if (version !== undefined) writeOut(META_DATA[version]);
else runAgent();

/** Reads the agent's code, compiles it with the cache of this action, and runs it. */
function runAgent() {
  const vm = require('node:vm');
  let fd;
  try {
    fd = fs.openSync(BODY, 'r');
  } catch (error) {
    // The agent's code is gone (a half-removed install): say so as an OCF agent does, not with a stack.
    fs.writeSync(2, `${process.env.OCF_EXIT_REASON_PREFIX || 'ocf-exit-reason:'}cannot read ${BODY} (${error.code}): reinstall tsha\n`);
    process.exit(5); // OCF_ERR_INSTALLED
  }
  const st = fs.fstatSync(fd);
  const bytes = Buffer.allocUnsafe(st.size);
  for (let at = 0; at < st.size;) {
    const n = fs.readSync(fd, bytes, at, st.size - at, at);
    if (n === 0) break;
    at += n;
  }
  fs.closeSync(fd);
  // esbuild writes ASCII only (non-ASCII text escaped): decoded as Latin-1, a copy, not a UTF-8 decode
  // (~1.5 ms for 180 KB here). Anything else is decoded as UTF-8, the text it would be.
  // A bundle run straight from build/out starts with a shebang: it becomes an empty line.
  const from = bytes[0] === 0x23 && bytes[1] === 0x21 ? Math.max(bytes.indexOf(10), 0) : 0;
  const text = require('node:buffer').isAscii(bytes) ? bytes.latin1Slice(from, bytes.length) : bytes.toString('utf8', from);
  const source = `(function (exports, require, module, __filename, __dirname) {${text}\n})`;

  // One cache per action (a monitor per depth), each with the functions that action ran. Its name holds
  // the bundle's size, change time and inode, so a reinstalled bundle never meets an old cache (V8 itself
  // checks only the source's length), and Node's version, so a new runtime starts afresh.
  const action = /^[a-z][a-z0-9-]{0,31}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
  const depth = /^\d{1,3}$/.test(process.env.OCF_CHECK_LEVEL ?? '') ? process.env.OCF_CHECK_LEVEL : '0'; // part of a file name
  const kind = action === 'monitor' || action === 'status' ? `monitor${depth}` : action;
  const dir = `${process.env.TSHA_CACHE_DIR || '/var/cache/tsha'}/agents`;
  const file = `${dir}/__NAME__.${kind}.${st.size}-${Math.trunc(st.ctimeMs)}-${st.ino}.${process.version}.v8cache`;

  /** The cache, if root owns it and its folder and no one else can write either. */
  function trusted() {
    try {
      const d = fs.statSync(dir);
      const c = fs.statSync(file);
      if (d.uid !== 0 || c.uid !== 0 || (d.mode & 0o022) !== 0 || (c.mode & 0o022) !== 0) return undefined;
      return fs.readFileSync(file);
    } catch {
      return undefined;
    }
  }

  const root = process.getuid?.() === 0;
  const cachedData = root ? trusted() : undefined;
  const script = new vm.Script(source, { filename: BODY, cachedData });
  if (root && (cachedData === undefined || script.cachedDataRejected)) {
    // At exit, so that the cache holds the functions this run compiled, not only the top level.
    process.once('exit', () => {
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        // Created exclusively under a name no other writer has: lab nodes share the folder from their own
        // PID namespaces, where two writers can have the same pid.
        const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
        fs.renameSync(tmp, file);
      } catch {
        // no cache: the next run compiles afresh
      }
    });
  }
  const agent = { exports: {} };
  script.runInThisContext()(agent.exports, require, agent, BODY, require('node:path').dirname(BODY));
}
