'use strict';
// mysql2 requires node:tls when it loads (~5 ms) though only TLS connections use it: load it on first use.
let tls;
module.exports = new Proxy({}, {
  get: (_target, key) => {
    tls ??= require('node:' + 'tls');
    return tls[key];
  },
});
