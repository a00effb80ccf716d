import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT } from './paths.ts';

export default function setup(): void {
  if (!existsSync(join(BUILT, 'mysql')) || !existsSync(join(BUILT, 'rabbitmq'))) {
    throw new Error(`integration tests run the built agents, and ${BUILT}/mysql is missing: run npm run build (or test/run)`);
  }
}
