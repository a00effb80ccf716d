import type { AmqpTarget } from '../amqp/session.ts';

/** An oslo.messaging transport_url (rabbit://user:pass@host:port/vhost), first host only. */
export function parseTransportUrl(url: string): AmqpTarget {
  const m = /^(rabbit|amqp)s?:\/\//.exec(url);
  if (!m) throw new TypeError('transport_url must start with rabbit:// (or amqp://)');
  // oslo allows several hosts (user:pass@h1:5672,user:pass@h2:5672/vhost): the first one is checked.
  const rest = url.slice(m[0].length);
  const slash = rest.indexOf('/');
  const hosts = slash < 0 ? rest : rest.slice(0, slash);
  const vhostPart = slash < 0 ? '' : rest.slice(slash + 1).split('?')[0]!;
  const first = hosts.split(',')[0]!;
  const at = first.lastIndexOf('@');
  const [user, pass] = at < 0 ? ['guest', 'guest'] : first.slice(0, at).split(':');
  const hostPort = at < 0 ? first : first.slice(at + 1);
  const portMatch = /:(\d+)$/.exec(hostPort);
  return {
    hostname: portMatch ? hostPort.slice(0, portMatch.index) : hostPort,
    port: portMatch ? Number(portMatch[1]) : 5672,
    username: decodeURIComponent(user ?? 'guest'),
    password: decodeURIComponent(pass ?? ''),
    vhost: vhostPart === '' ? '/' : decodeURIComponent(vhostPart),
    tls: url.includes('s://') || /[?&]ssl=(1|true)/.test(url),
  };
}
