import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bundles as esbuild wrote them. */
export const BUILT = join(ROOT, 'build', 'out');
/** Where install.sh put them, as Pacemaker finds them. */
export const INSTALLED = join(process.env.OCF_ROOT ?? '/usr/lib/ocf', 'resource.d', 'tsha');
export const RESOURCE_AGENTS_DATA = '/usr/share/resource-agents';
