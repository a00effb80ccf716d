/**
 * Who the members are: the hosts of wsrep_cluster_address, as Pacemaker node names through
 * cluster_host_map. Pure; the bootstrap decision reasons in Pacemaker's names, the server in hosts.
 */

/** The hosts of gcomm://h1,h2:4567,h3?opts, without ports or options. */
export function clusterHosts(address: string): string[] {
  const m = /^gcomm:\/\/([^?]*)/.exec(address.trim());
  if (!m) return [];
  return m[1]!
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
    .map((h) => (h.startsWith('[') ? h.slice(1, h.indexOf(']')) : h.replace(/:\d+$/, '')));
}

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

/** Pacemaker's name for each member host: mapped when cluster_host_map names it, the host itself otherwise. */
export function expectedNodes(address: string, hostMap: ReadonlyMap<string, string>): string[] {
  const byHost = new Map([...hostMap].map(([node, host]) => [host, node]));
  return clusterHosts(address).map((h) => byHost.get(h) ?? h);
}

export function hostOf(node: string, hostMap: ReadonlyMap<string, string>): string {
  return hostMap.get(node) ?? node;
}
