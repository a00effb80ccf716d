// ocf:tsha:__NAME__, as Pacemaker calls it: tsha's launcher. build/bundle.mjs builds it per agent, with
// META_DATA defined; install.sh fills in the agent's name and the path of its code (build/README.md).
//
// The agent is __BODY__, compiled and run from here with a V8 code cache of the functions that the same
// action ran before: a run compiles only what the cache lacks. The cache is kept in a folder only root can
// write (a cache is code the agent runs); any problem with it only means compiling afresh.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { raVersionOf, understandsOcf11 } from '../shared/ocf/environment.ts';
import { writeOut } from '../shared/ocf/stdio.ts';

/**
 * The agent's meta-data as this build's bundle prints it, for OCF 1.0 and 1.1 (build/bundle.mjs defines it;
 * null in the plain launcher, build/out/launcher.cjs, which sends every call to the bundle). Pacemaker,
 * crm and pcs ask for meta-data often and it never changes between runs: answered from here, the call
 * neither reads nor compiles the agent's code. The version is chosen by the agent's own functions.
 */
declare const META_DATA: { readonly '1.0': string; readonly '1.1': string } | null;

const BODY = '__BODY__';

if (META_DATA !== null && process.argv[2] === 'meta-data')
  writeOut(1, META_DATA[understandsOcf11(raVersionOf(process.env)) ? '1.1' : '1.0']);
else runAgent();

/** Reads the agent's code, compiles it with the cache of this action, and runs it. */
function runAgent(): void {
  const vm = require('node:vm') as typeof import('node:vm');
  let fd: number;
  try {
    fd = openSync(BODY, 'r');
  } catch (error) {
    // The agent's code is gone (a half-removed install): say so as an OCF agent does, not with a stack.
    const code = (error as NodeJS.ErrnoException).code;
    writeSync(2, `${process.env.OCF_EXIT_REASON_PREFIX || 'ocf-exit-reason:'}cannot read ${BODY} (${code}): reinstall tsha\n`);
    process.exit(5); // OCF_ERR_INSTALLED
  }
  const st = fstatSync(fd);
  const bytes = Buffer.allocUnsafe(st.size);
  for (let at = 0; at < st.size;) {
    const n = readSync(fd, bytes, at, st.size - at, at);
    if (n === 0) break;
    at += n;
  }
  closeSync(fd);
  // esbuild writes ASCII only (non-ASCII text escaped): decoded as Latin-1, a copy, not a UTF-8 decode
  // (~1.5 ms for 180 KB here). Anything else is decoded as UTF-8, the text it would be.
  // A bundle run straight from build/out starts with a shebang: it becomes an empty line.
  const from = bytes[0] === 0x23 && bytes[1] === 0x21 ? Math.max(bytes.indexOf(10), 0) : 0;
  const { isAscii } = require('node:buffer') as typeof import('node:buffer');
  const text = isAscii(bytes) ? bytes.toString('latin1', from) : bytes.toString('utf8', from);
  const source = `(function (exports, require, module, __filename, __dirname) {${text}\n})`;

  // One cache per action (a monitor per depth), each with the functions that action ran. Its name holds
  // the bundle's size, change time and inode, so a reinstalled bundle never meets an old cache (V8 itself
  // checks only the source's length), and Node's version, so a new runtime starts afresh.
  const action = /^[a-z][a-z0-9-]{0,31}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
  const level = process.env.OCF_CHECK_LEVEL ?? '';
  const depth = /^\d{1,3}$/.test(level) ? level : '0'; // part of a file name
  const kind = action === 'monitor' || action === 'status' ? `monitor${depth}` : action;
  const dir = `${process.env.TSHA_CACHE_DIR || '/var/cache/tsha'}/agents`;
  const file = `${dir}/__NAME__.${kind}.${st.size}-${Math.trunc(st.ctimeMs)}-${st.ino}.${process.version}.v8cache`;

  /** The cache, if root owns it and its folder and no one else can write either. */
  function trusted(): Buffer | undefined {
    try {
      const d = statSync(dir);
      const c = statSync(file);
      if (d.uid !== 0 || c.uid !== 0 || (d.mode & 0o022) !== 0 || (c.mode & 0o022) !== 0) return undefined;
      return readFileSync(file);
    } catch {
      return undefined;
    }
  }

  const root = process.getuid?.() === 0;
  const cachedData = root ? trusted() : undefined;
  const script = new vm.Script(source, { filename: BODY, ...(cachedData ? { cachedData } : {}) });
  if (root && (cachedData === undefined || script.cachedDataRejected)) {
    // At exit, so that the cache holds the functions this run compiled, not only the top level.
    process.once('exit', () => {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        // Created exclusively under a name no other writer has: lab nodes share the folder from their own
        // PID namespaces, where two writers can have the same pid.
        const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
        renameSync(tmp, file);
      } catch {
        // no cache: the next run compiles afresh
      }
    });
  }
  const agent = { exports: {} };
  const { dirname } = require('node:path') as typeof import('node:path');
  (script.runInThisContext() as (...args: unknown[]) => void)(agent.exports, require, agent, BODY, dirname(BODY));
}
