'use strict';
// Stands in for iconv-lite in the agent bundles: mysql2 needs it only for column data in charsets Node
// cannot decode itself. The agents read ASCII (counts, versions, positions), so Node's decoders suffice
// and the bundle loses ~490 KB that every invocation would parse.
const normal = (encoding) => {
  const e = String(encoding)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  if (e === 'cesu8' || e === 'utf8' || e === 'utf8mb4' || e === 'utf8mb3') return 'utf8';
  if (e === 'ucs2' || e === 'utf16le') return 'utf16le';
  if (e === 'ascii' || e === 'binary' || e === 'hex' || e === 'base64') return e;
  return 'latin1';
};
const decoder = (encoding) => {
  const e = normal(encoding);
  return { write: (buffer) => Buffer.from(buffer).toString(e), end: () => '' };
};
const encoder = (encoding) => {
  const e = normal(encoding);
  return { write: (text) => Buffer.from(String(text), e), end: () => Buffer.alloc(0) };
};
module.exports = {
  getDecoder: decoder,
  getEncoder: encoder,
  decode: (buffer, encoding) => decoder(encoding).write(buffer),
  encode: (text, encoding) => encoder(encoding).write(text),
  encodingExists: () => true,
};
