/**
 * A client of the lab's OpenStack control plane, run in the lab's client namespace (through the VIPs):
 *   node control-plane-client.ts catalog   registers the service users, services and endpoints
 *   node control-plane-client.ts check     a token, an image list and a compute service list; exit 0 when all succeed
 *   node control-plane-client.ts watch S  the same check again and again for S seconds, each bounded by 2 s per call, a second
 *                                         one started when one is late (up to 4): a line per attempt,
 *                                         "ok <epoch ms answered> <epoch ms started> token=<ms> images=<ms> services=<ms>"
 *                                         or "fail <epoch ms started> <what failed>"
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
  // One attempt at a time while they answer (100 ms apart), as a client would; an attempt that is late
  // gets company (up to 4 in flight), so one hung on the dead VIP holder does not hide that a later one
  // already answers: the figure is the service's, not this loop's 2 s bound. Late is twice what the
  // recent answers took, within 0.5–1 s: a fixed 500 ms kept 4 checks in flight on a 2-core lab whose
  // checks take 1–2 s, a load that slowed the very checks being timed; 1 s bounds how late a recovery
  // can be seen.
  const end = Date.now() + Number(process.argv[3]) * 1000;
  const inFlight = new Set<Promise<void>>();
  const recent: number[] = [];
  const late = () => {
    const sorted = [...recent].sort((a, b) => a - b);
    return Math.min(1000, Math.max(500, 2 * (sorted[Math.floor(sorted.length / 2)] ?? 0)));
  };
  const attempt = async (): Promise<void> => {
    const started = Date.now();
    let step = 'token';
    // Each call's milliseconds, for the bench's trace of where a slow answer waited.
    const took: string[] = [];
    let mark = started;
    const done = (name: string) => {
      took.push(`${name}=${Date.now() - mark}`);
      mark = Date.now();
    };
    try {
      const token = await issueToken(keystone, 'admin', password, 'admin', 2000);
      done('token');
      step = 'images';
      const images = await get(`${env('GLANCE_URL')}/v2/images`, token, 2000);
      if (images.status !== 200) throw new Error(`HTTP ${images.status}`);
      done('images');
      step = 'services';
      const services = await get(`${env('NOVA_URL')}/v2.1/os-services`, token, 2000);
      if (services.status !== 200) throw new Error(`HTTP ${services.status}`);
      done('services');
      recent.push(Date.now() - started);
      if (recent.length > 5) recent.shift();
      console.log(`ok ${Date.now()} ${started} ${took.join(' ')}`);
    } catch (e) {
      console.log(`fail ${started} ${step}: ${(e as Error).message}`);
    }
  };
  const pause = (ms: number) => new Promise<'late'>((r) => setTimeout(() => r('late'), ms));
  while (Date.now() < end) {
    if (inFlight.size < 4) {
      const a = attempt().finally(() => inFlight.delete(a));
      inFlight.add(a);
    }
    const first = await Promise.race([...inFlight, pause(late())]);
    if (first !== 'late') await pause(100);
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
