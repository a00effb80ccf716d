import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReadme } from '../../build/readme.ts';
import { ROOT } from '../support/paths.ts';

describe('README', () => {
  it('parameter tables match the agent declarations (regenerate with node build/readme.ts)', async () => {
    const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(await renderReadme(text)).toBe(text);
  });

  it('leads with the two commands: install with the demo, and the whole test suite', () => {
    const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    expect(firstBlock).toMatch(/^\.\/install\.sh --demo/m);
    expect(firstBlock).toMatch(/^test\/run/m);
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/exec test\/run/);
  });
});
