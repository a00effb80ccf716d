/**
 * cluster_host_map: where Pacemaker node names differ from the host names (or addresses) a clustered
 * service knows its members by. Pure.
 */

/** node:host pairs; a malformed pair is reported, never skipped silently. */
export function parseHostMap(text: string): { map: Map<string, string>; bad: string[] } {
  const map = new Map<string, string>();
  const bad: string[] = [];
  for (const pair of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const i = pair.indexOf(':');
    const node = pair.slice(0, i).trim();
    const host = pair.slice(i + 1).trim();
    if (i <= 0 || host === '') bad.push(pair);
    else map.set(node, host);
  }
  return { map, bad };
}

export function hostOf(node: string, hostMap: ReadonlyMap<string, string>): string {
  return hostMap.get(node) ?? node;
}
