/**
 * A client of the lab's OpenStack control plane, run in the lab's client namespace (through the VIPs):
 *   node control-plane-client.ts catalog   registers the service users, services and endpoints
 *   node control-plane-client.ts check     a token, an image list and a compute service list; exit 0 when all succeed
 *   node control-plane-client.ts watch S  the same check again and again for S seconds, each bounded by 2 s per call:
 *                                         a line per attempt, "ok <epoch ms answered>" or "fail <epoch ms tried> <what failed>"
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

async function get(url: string, token: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { headers: { 'x-auth-token': token, accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  return { status: r.status, body: await r.text() };
}

if (process.argv[2] === 'catalog') {
  const token = await issueToken(keystone, 'admin', password, 'admin');
  await registerCatalog(keystone, token, [
    { name: 'glance', type: 'image', url: env('GLANCE_URL') },
    { name: 'nova', type: 'compute', url: `${env('NOVA_URL')}/v2.1` },
  ]);
} else if (process.argv[2] === 'watch') {
  const end = Date.now() + Number(process.argv[3]) * 1000;
  while (Date.now() < end) {
    const started = Date.now();
    let step = 'token';
    try {
      const token = await issueToken(keystone, 'admin', password, 'admin', 2000);
      step = 'images';
      const images = await get(`${env('GLANCE_URL')}/v2/images`, token, 2000);
      if (images.status !== 200) throw new Error(`HTTP ${images.status}`);
      step = 'services';
      const services = await get(`${env('NOVA_URL')}/v2.1/os-services`, token, 2000);
      if (services.status !== 200) throw new Error(`HTTP ${services.status}`);
      console.log(`ok ${Date.now()}`);
    } catch (e) {
      console.log(`fail ${started} ${step}: ${(e as Error).message}`);
      // A refused connection fails at once: do not spin.
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
    }
  }
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
