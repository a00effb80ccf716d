import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sizeOf, tellingLines } from '../../../shared/process/log-tail.ts';
import { useTempDirs } from '../helpers.ts';

const tempDir = useTempDirs();
const ERROR = /\[ERROR\]/;

function log(text: string): string {
  const path = join(tempDir(), 'error.log');
  writeFileSync(path, text);
  return path;
}

const BEFORE = ['2024-01-01  0:00:00 0 [Note] Starting MariaDB', '2024-01-01  0:00:01 0 [ERROR] an old error from the last start', ''].join(
  '\n',
);

describe('tellingLines', () => {
  it('picks the [ERROR] lines written after the offset', () => {
    const path = log(BEFORE);
    const offset = sizeOf(path);
    appendFileSync(
      path,
      [
        '2024-01-02  0:00:00 0 [Note] Starting MariaDB',
        "2024-01-02  0:00:01 0 [ERROR] Can't open and lock privilege tables",
        '2024-01-02  0:00:01 0 [Warning] something mild',
        '2024-01-02  0:00:01 0 [ERROR] Aborting',
        '',
      ].join('\n'),
    );
    expect(tellingLines(path, offset, ERROR)).toEqual([
      "2024-01-02  0:00:01 0 [ERROR] Can't open and lock privilege tables",
      '2024-01-02  0:00:01 0 [ERROR] Aborting',
    ]);
  });

  it('falls back to the last lines when none match', () => {
    const path = log(BEFORE);
    const offset = sizeOf(path);
    appendFileSync(path, 'one\ntwo\n\n  three  \nfour\n');
    expect(tellingLines(path, offset, ERROR)).toEqual(['two', 'three', 'four']);
  });

  it('keeps only the last max matching lines', () => {
    const path = log(['[ERROR] 1', '[ERROR] 2', '[ERROR] 3', '[ERROR] 4', '[ERROR] 5'].join('\n'));
    expect(tellingLines(path, 0, ERROR)).toEqual(['[ERROR] 3', '[ERROR] 4', '[ERROR] 5']);
    expect(tellingLines(path, 0, ERROR, 1)).toEqual(['[ERROR] 5']);
  });

  it('truncates a long line to 300 characters ending in ...', () => {
    const long = `[ERROR] ${'x'.repeat(400)}`;
    const [line] = tellingLines(log(`${long}\n`), 0, ERROR);
    expect(line).toHaveLength(300);
    expect(line).toBe(`${long.slice(0, 297)}...`);
  });

  it('keeps a line of exactly 300 characters whole', () => {
    const exact = `[ERROR] ${'y'.repeat(292)}`;
    expect(tellingLines(log(exact), 0, ERROR)).toEqual([exact]);
  });

  it('nothing written since the offset gives no lines', () => {
    const path = log(BEFORE);
    expect(tellingLines(path, sizeOf(path), ERROR)).toEqual([]);
  });

  it('a missing log gives no lines', () => {
    expect(tellingLines(join(tempDir(), 'none.log'), 0, ERROR)).toEqual([]);
  });

  it('reads at most the last 64 KiB of a huge log', () => {
    const path = log(`[ERROR] far back\n${'filler line\n'.repeat(10_000)}[Note] the end\n`);
    expect(tellingLines(path, 0, ERROR)).toEqual(['filler line', 'filler line', '[Note] the end']);
  });
});

describe('sizeOf', () => {
  it('is the size of a file, or 0 when it is missing', () => {
    expect(sizeOf(log('12345'))).toBe(5);
    expect(sizeOf(join(tempDir(), 'missing'))).toBe(0);
  });
});
