import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bundles as esbuild wrote them. */
export const BUILT = join(ROOT, 'build', 'out');
/** The OCF root Pacemaker looks in (resource.d/<provider>/<agent>), and gives agents as OCF_ROOT. */
export const OCF_ROOT = process.env.OCF_ROOT ?? '/usr/lib/ocf';
/** Where install.sh put them, as Pacemaker finds them. */
export const INSTALLED = join(OCF_ROOT, 'resource.d', 'tsha');
