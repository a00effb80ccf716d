'use strict';
// mysql2 requires node:tls when it loads (~5 ms) though only TLS connections use it: load it on first use.
// bundle.mjs aliases `tls` to this file when it bundles the deferred modules, so mysql2's top-level
// `require('tls')` (lib/base/connection.js, auth_plugins/sha256_password.js) gets this Proxy instead of
// the module. Nothing is loaded until a property is read (`tls.connect`, `tls.TLSSocket`, ...), which
// only a TLS connection does; then the real module is loaded once and every read is forwarded to it.
// Only `get` is trapped: this holds as long as mysql2 merely reads properties of what it required
// (an `in`, Object.keys or a destructuring at load time would see an empty object or load tls at
// once; test/integration/startup-modules.test.ts fails if node:tls is loaded where no TLS is used).
// The alias matches the bare name only: amqplib requires 'node:tls' and loads it with itself, which
// only queue checks do. The computed name below makes no difference to the minified bundle (esbuild
// folds it to "node:tls", which the alias does not match either).
let tls;
module.exports = new Proxy(
  {},
  {
    get: (_target, key) => {
      tls ??= require('node:' + 'tls');
      return tls[key];
    },
  },
);
