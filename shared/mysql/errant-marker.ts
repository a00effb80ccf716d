/**
 * The marker of an instance held out for errant transactions: written when it refuses to follow the
 * primary, read by every monitor (which fails with its text as the exit reason), removed by the operator
 * once resolved — or by this instance's own promotion, which makes its transactions the primary's.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errantFile, type Ctx } from './clone.ts';

export function heldOutReason(ctx: Ctx): string | undefined {
  try {
    return readFileSync(errantFile(ctx), 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function holdOut(ctx: Ctx, reason: string): void {
  mkdirSync(dirname(errantFile(ctx)), { recursive: true });
  writeFileSync(errantFile(ctx), `${reason}\n`);
}

export function releaseHold(ctx: Ctx): void {
  rmSync(errantFile(ctx), { force: true });
}
