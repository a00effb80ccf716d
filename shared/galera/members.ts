/**
 * Who the members are: the hosts of wsrep_cluster_address, as Pacemaker node names through
 * cluster_host_map. Pure; the bootstrap decision reasons in Pacemaker's names, the server in hosts.
 */
export { hostOf, parseHostMap } from '../cluster/host-map.ts';

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

/** Pacemaker's name for each member host: mapped when cluster_host_map names it, the host itself otherwise. */
export function expectedNodes(address: string, hostMap: ReadonlyMap<string, string>): string[] {
  const byHost = new Map([...hostMap].map(([node, host]) => [host, node]));
  return clusterHosts(address).map((h) => byHost.get(h) ?? h);
}
