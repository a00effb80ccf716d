'use strict';
// ocf:tsha:__NAME__, as Pacemaker calls it. The agent is __BODY__ (install.sh, build/README.md): loaded
// from here rather than run as the main script, it is compiled with Node's module compile cache, kept
// in a folder only root can write — a cache is code the agent runs. Any problem with the folder only
// means compiling afresh.
if (process.getuid && process.getuid() === 0) {
  try {
    const fs = require('node:fs');
    const dir = `${process.env.TSHA_CACHE_DIR || '/var/cache/tsha'}/compile`;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    if (st.uid === 0 && (st.mode & 0o022) === 0) require('node:module').enableCompileCache(dir);
  } catch {
    // compiled afresh
  }
}
require('__BODY__');
