import type { AmqpTarget } from '../amqp/session.ts';

/**
 * An oslo.messaging transport_url (rabbit://user:pass@h1:5672,user:pass@h2:5672/vhost): one target per
 * listed broker, in the order given, as oslo tries them. A host written without credentials takes those
 * of the host before it (`rabbit://u:p@h1,h2/`), so a clustered broker listed that way is still usable.
 */
export function parseTransportUrl(url: string): AmqpTarget[] {
  const m = /^(rabbit|amqp)s?:\/\//.exec(url);
  if (!m) throw new TypeError('transport_url must start with rabbit:// (or amqp://)');
  const rest = url.slice(m[0].length);
  const slash = rest.indexOf('/');
  const hosts = slash < 0 ? rest : rest.slice(0, slash);
  const vhostPart = slash < 0 ? '' : rest.slice(slash + 1).split('?')[0]!;
  const vhost = vhostPart === '' ? '/' : decodeURIComponent(vhostPart);
  const tls = url.includes('s://') || /[?&]ssl=(1|true)/.test(url);
  let credentials = { username: 'guest', password: 'guest' };
  return hosts.split(',').map((entry) => {
    if (entry === '') throw new TypeError('transport_url lists an empty host');
    const at = entry.lastIndexOf('@');
    if (at >= 0) {
      const [user, pass] = entry.slice(0, at).split(':');
      credentials = { username: decodeURIComponent(user ?? 'guest'), password: decodeURIComponent(pass ?? '') };
    }
    const hostPort = at < 0 ? entry : entry.slice(at + 1);
    // [fd00::1]:5672: the brackets only delimit an IPv6 address.
    const parts = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(hostPort);
    if (!parts) throw new TypeError(`transport_url host ${JSON.stringify(hostPort)} is not host[:port]`);
    return { hostname: parts[1] ?? parts[2]!, port: parts[3] ? Number(parts[3]) : 5672, ...credentials, vhost, tls };
  });
}

/** host:port for messages, never the credentials. */
export function targetName(t: AmqpTarget): string {
  return t.hostname.includes(':') ? `[${t.hostname}]:${t.port}` : `${t.hostname}:${t.port}`;
}
