/** Runs the real xmllint on a document given on stdin. */
import { spawnSync } from 'node:child_process';

export const RA_DATA = '/usr/share/resource-agents';
export const OCF_10_DTD = `${RA_DATA}/ra-api-1.dtd`;
export const OCF_10_RNG = `${RA_DATA}/metadata.rng`;
export const OCF_11_RNG = new URL('../../schemas/ocf-1.1.rng', import.meta.url).pathname;

export interface Lint {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

export function xmllint(args: readonly string[], document: string): Lint {
  // From the resource-agents directory, the 1.0 DOCTYPE's relative "ra-api-1.dtd" resolves too.
  const r = spawnSync('/usr/bin/xmllint', [...args, '-'], { input: document, encoding: 'utf8', cwd: RA_DATA, timeout: 10_000 });
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

/** The string value of an XPath expression, after a real XML parser has read the document. */
export function xpath(document: string, expression: string): string {
  const r = xmllint(['--xpath', expression], document);
  if (!r.ok) throw new Error(`xmllint --xpath ${expression}: ${r.stderr}`);
  // xmllint ends its answer with a newline.
  return r.stdout.replace(/\n$/, '');
}

/** The values of every attribute an XPath expression selects. */
export function attributeValues(document: string, expression: string): string[] {
  const r = xmllint(['--xpath', expression], document);
  // xmllint exits 10 when the expression selects nothing.
  if (!r.ok) return [];
  return [...r.stdout.matchAll(/="([^"]*)"/g)].map((m) => m[1]!);
}
