/**
 * A client of the lab's OpenStack control plane, run in the lab's client namespace (through the VIPs):
 *   node control-plane-client.ts catalog   registers the service users, services and endpoints
 *   node control-plane-client.ts check     a token, an image list and a compute service list; exit 0 when all succeed
 * Addresses and the admin password come from the environment (KEYSTONE_URL, GLANCE_URL, NOVA_URL,
 * ADMIN_PASSWORD), never from argv.
 */
import { issueToken, registerCatalog } from '../support/openstack-config.ts';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const keystone = env('KEYSTONE_URL');
const password = env('ADMIN_PASSWORD');

async function get(url: string, token: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { headers: { 'x-auth-token': token, accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
  return { status: r.status, body: await r.text() };
}

if (process.argv[2] === 'catalog') {
  const token = await issueToken(keystone, 'admin', password, 'admin');
  await registerCatalog(keystone, token, [
    { name: 'glance', type: 'image', url: env('GLANCE_URL') },
    { name: 'nova', type: 'compute', url: `${env('NOVA_URL')}/v2.1` },
  ]);
} else {
  const token = await issueToken(keystone, 'admin', password, 'admin');
  const images = await get(`${env('GLANCE_URL')}/v2/images`, token);
  const services = await get(`${env('NOVA_URL')}/v2.1/os-services`, token);
  const list =
    services.status === 200 ? (JSON.parse(services.body) as { services: { binary: string; host: string; state: string }[] }).services : [];
  console.log(
    JSON.stringify({
      images: images.status,
      services: services.status,
      up: list.filter((s) => s.state === 'up').map((s) => `${s.binary}@${s.host}`),
    }),
  );
  process.exitCode = images.status === 200 && services.status === 200 ? 0 : 1;
}
