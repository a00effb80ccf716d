import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asText, Logger, logTargets, type LogTargets } from '../../../shared/ocf/log.ts';
import { useTempDirs } from '../helpers.ts';

// The logger writes to file descriptor 2 directly (stdio.ts); here through process.stderr, captured below.
vi.mock('../../../shared/ocf/stdio.ts', () => ({
  writeOut: (fd: 1 | 2, text: string) => (fd === 1 ? process.stdout : process.stderr).write(text),
  isTerminal: () => false,
}));

const tempDir = useTempDirs();
const TAG = `mysql(db)[${process.pid}]`;
const STAMP = String.raw`\d{4}/\d{2}/\d{2}_\d{2}:\d{2}:\d{2}`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function lines(path: string): string[] {
  return existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

let stderr: string[];
beforeEach(() => {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

function files(debug: boolean): { file: string; debugFile: string; log: Logger } {
  const dir = tempDir();
  const file = join(dir, 'ha-log');
  const debugFile = join(dir, 'ha-debug');
  const targets = logTargets({ HA_LOGFILE: file, HA_DEBUGLOG: debugFile, HA_LOGFACILITY: 'none', HA_debug: debug ? '1' : '0' }, false);
  return { file, debugFile, log: new Logger(TAG, targets) };
}

describe('logging to HA_LOGFILE', () => {
  it.each<['err' | 'warn' | 'info', string]>([
    ['err', 'ERROR'],
    ['warn', 'WARNING'],
    ['info', 'INFO'],
  ])('%s writes a timestamped line with the tag and the %s label', (method, label) => {
    const { file, log } = files(false);
    log[method]('the server said something');
    const [line, ...rest] = lines(file);
    expect(rest).toEqual([]);
    expect(line).toMatch(new RegExp(`^${STAMP} ${escape(TAG)}:    ${label}: the server said something$`));
    expect(stderr).toEqual([]);
  });

  it('the timestamp is the local time of the write', () => {
    const { file, log } = files(false);
    const before = new Date();
    log.info('now');
    const stamp = lines(file)[0]!.split(' ')[0]!;
    const [date, time] = stamp.split('_');
    const [y, mo, d] = date!.split('/').map(Number);
    const [h, mi, s] = time!.split(':').map(Number);
    const written = new Date(y!, mo! - 1, d!, h!, mi!, s!);
    expect(Math.abs(written.getTime() - before.getTime())).toBeLessThan(5_000);
  });

  it('appends, keeping earlier lines', () => {
    const { file, log } = files(false);
    log.info('one');
    log.warn('two');
    expect(lines(file).map((l) => l.slice(l.indexOf('    ') + 4))).toEqual(['INFO: one', 'WARNING: two']);
  });

  it('log(level, …) is the same as the named methods', () => {
    const { file, log } = files(false);
    log.log('err', 'by level');
    expect(lines(file)[0]).toContain('ERROR: by level');
  });
});

describe('debug lines', () => {
  it('are dropped when HA_debug is 0', () => {
    const { file, debugFile, log } = files(false);
    log.debug('details');
    expect(lines(file)).toEqual([]);
    expect(lines(debugFile)).toEqual([]);
    expect(stderr).toEqual([]);
  });

  it('go only to the debug file when HA_debug is set', () => {
    const { file, debugFile, log } = files(true);
    log.debug('details');
    expect(lines(file)).toEqual([]);
    const [line, ...rest] = lines(debugFile);
    expect(rest).toEqual([]);
    expect(line).toMatch(new RegExp(`^${STAMP} ${escape(TAG)}:    DEBUG: details$`));
  });

  it('other lines also reach the debug file when debugging', () => {
    const { file, debugFile, log } = files(true);
    log.warn('careful');
    expect(lines(file)).toHaveLength(1);
    expect(lines(debugFile)).toHaveLength(1);
    expect(lines(debugFile)[0]).toContain('WARNING: careful');
  });

  it('other lines stay out of the debug file when not debugging', () => {
    const { debugFile, log } = files(false);
    log.warn('careful');
    expect(lines(debugFile)).toEqual([]);
  });

  it('a debug file that is also the log file gets each line once', () => {
    const file = join(tempDir(), 'both');
    const log = new Logger(TAG, logTargets({ HA_LOGFILE: file, HA_DEBUGLOG: file, HA_LOGFACILITY: 'none', HA_debug: '1' }, false));
    log.info('once');
    log.debug('also once');
    expect(lines(file).map((l) => l.slice(l.indexOf('    ') + 4))).toEqual(['INFO: once', 'DEBUG: also once']);
  });
});

describe('secrets', () => {
  it('are redacted in the log file, the debug file and on stderr', () => {
    const { file, debugFile, log } = files(true);
    log.addSecret('s3cr3t');
    log.err('login with s3cr3t failed (s3cr3t)');
    log.debug('password=s3cr3t');
    expect(lines(file)[0]).toContain('ERROR: login with *** failed (***)');
    expect(lines(debugFile).join('\n')).toContain('DEBUG: password=***');
    expect(readFileSync(file, 'utf8') + readFileSync(debugFile, 'utf8')).not.toContain('s3cr3t');

    const terminal = new Logger(TAG, logTargets({}, true));
    terminal.addSecret('s3cr3t');
    terminal.warn('s3cr3t');
    expect(stderr.join('')).toBe(`${TAG}: WARNING: ***\n`);
  });

  it('redact replaces every registered secret', () => {
    const log = new Logger(TAG, logTargets({}, false));
    log.addSecret('alpha');
    log.addSecret('beta');
    expect(log.redact('alpha beta alphabet')).toBe('*** *** ***bet');
  });

  it('an empty or absent secret is ignored', () => {
    const log = new Logger(TAG, logTargets({}, false));
    log.addSecret('');
    log.addSecret(undefined);
    expect(log.redact('nothing to hide')).toBe('nothing to hide');
  });
});

describe('without a log file', () => {
  it('a person at a terminal gets "tag: LABEL: message" on stderr and no file is written', () => {
    const log = new Logger(TAG, logTargets({ HA_LOGFILE: join(tempDir(), 'unused') }, true));
    log.info('hello');
    expect(stderr).toEqual([`${TAG}: INFO: hello\n`]);
  });

  it('no file and no syslog means stderr, timestamped', () => {
    const log = new Logger(TAG, logTargets({ HA_LOGFACILITY: 'none' }, false));
    log.err('nowhere else');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(new RegExp(`^${STAMP} ${escape(TAG)}:    ERROR: nowhere else\\n$`));
  });

  it('an unwritable log file does not throw', () => {
    const log = new Logger(TAG, logTargets({ HA_LOGFILE: join(tempDir(), 'no', 'such', 'dir', 'log') }, false));
    expect(() => log.err('lost')).not.toThrow();
  });

  it('flush with nothing queued resolves', async () => {
    await expect(new Logger(TAG, logTargets({}, false)).flush()).resolves.toBeUndefined();
  });
});

describe('logTargets', () => {
  const none: LogTargets = { file: undefined, debugFile: undefined, facility: undefined, debug: false, terminal: false };

  it('nothing set means no file, no syslog, no debug', () => {
    expect(logTargets({}, false)).toEqual(none);
  });

  it('remembers whether a person is watching', () => {
    expect(logTargets({}, true).terminal).toBe(true);
  });

  it.each<[string, Record<string, string>, Partial<LogTargets>]>([
    ['HA_LOGFILE', { HA_LOGFILE: '/var/log/ha.log' }, { file: '/var/log/ha.log' }],
    ['PCMK_LOGFILE as a fallback', { PCMK_LOGFILE: '/var/log/pcmk.log' }, { file: '/var/log/pcmk.log' }],
    ['HA_LOGFILE before PCMK_LOGFILE', { HA_LOGFILE: '/a', PCMK_LOGFILE: '/b' }, { file: '/a' }],
    ['an empty HA_LOGFILE as unset', { HA_LOGFILE: '', PCMK_LOGFILE: '/b' }, { file: '/b' }],
    ['HA_DEBUGLOG', { HA_DEBUGLOG: '/d' }, { debugFile: '/d' }],
    ['PCMK_DEBUGLOG as a fallback', { PCMK_DEBUGLOG: '/pd' }, { debugFile: '/pd' }],
    ['HA_LOGFACILITY', { HA_LOGFACILITY: 'local3' }, { facility: 'local3' }],
    ['PCMK_LOGFACILITY as a fallback', { PCMK_LOGFACILITY: 'daemon' }, { facility: 'daemon' }],
    ['HA_logfacility (lower case) as a fallback', { HA_logfacility: 'local1' }, { facility: 'local1' }],
    ['PCMK_logfacility (lower case) as a fallback', { PCMK_logfacility: 'local2' }, { facility: 'local2' }],
    ['facility none as no syslog', { HA_LOGFACILITY: 'none' }, { facility: undefined }],
    ['HA_LOGFACILITY none over a PCMK facility', { HA_LOGFACILITY: 'none', PCMK_LOGFACILITY: 'daemon' }, { facility: undefined }],
    ['HA_debug 1 as debugging', { HA_debug: '1' }, { debug: true }],
    ['HA_debug 0 as not debugging', { HA_debug: '0' }, { debug: false }],
    ['HA_debug no as not debugging', { HA_debug: 'no' }, { debug: false }],
    ['HA_debug false as not debugging', { HA_debug: 'false' }, { debug: false }],
    ['PCMK_debug as a fallback', { PCMK_debug: 'yes' }, { debug: true }],
    ['PCMK_debug naming daemons as debugging', { PCMK_debug: 'pacemaker-execd' }, { debug: true }],
    ['HA_debug 0 over PCMK_debug', { HA_debug: '0', PCMK_debug: '1' }, { debug: false }],
  ])('reads %s', (_, vars, expected) => {
    expect(logTargets(vars, false)).toEqual({ ...none, ...expected });
  });
});

describe('asText: a decision as one debug line', () => {
  it('spells out Maps, Sets and bigints', () => {
    expect(asText({ reports: new Map([['n1', { seqno: 7n }]]), members: new Set(['n1', 'n2']) })).toBe(
      '{"reports":{"n1":{"seqno":"7"}},"members":["n1","n2"]}',
    );
  });

  it('never throws, even on a cycle', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(asText(cyclic)).toBe('[object Object]');
  });
});
