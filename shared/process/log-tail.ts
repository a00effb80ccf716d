import { closeSync, openSync, readSync, statSync } from 'node:fs';

export function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * The telling lines a daemon wrote to its log since `offset`: those matching `pattern` (its errors), else
 * the last lines. They become the exit reason of a failed start, so they are few and short.
 */
export function tellingLines(path: string, offset: number, pattern: RegExp, max = 3): string[] {
  let text = '';
  try {
    const fd = openSync(path, 'r');
    try {
      const size = statSync(path).size;
      const start = Math.max(offset, size - 64 * 1024);
      const buffer = Buffer.alloc(Math.max(0, size - start));
      readSync(fd, buffer, 0, buffer.length, start);
      text = buffer.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const matching = lines.filter((l) => pattern.test(l));
  return (matching.length > 0 ? matching : lines).slice(-max).map((l) => (l.length > 300 ? `${l.slice(0, 297)}...` : l));
}
