import { appendFileSync } from 'node:fs';
import { childProcess } from './builtins.ts';
import { writeOut } from './stdio.ts';

export type LogLevel = 'err' | 'warning' | 'info' | 'debug';

const LABEL: Readonly<Record<LogLevel, string>> = { err: 'ERROR', warning: 'WARNING', info: 'INFO', debug: 'DEBUG' };
// syslog severities (RFC 5424)
const SEVERITY: Readonly<Record<LogLevel, number>> = { err: 3, warning: 4, info: 6, debug: 7 };
const FACILITY: Readonly<Record<string, number>> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

export interface LogTargets {
  /** Append here (HA_LOGFILE / PCMK_LOGFILE). */
  readonly file: string | undefined;
  /** Debug lines go here when debugging (HA_DEBUGLOG / PCMK_DEBUGLOG). */
  readonly debugFile: string | undefined;
  /** syslog facility, or undefined for none. */
  readonly facility: string | undefined;
  readonly debug: boolean;
  /** A person is watching: write to stderr. */
  readonly terminal: boolean;
}

function firstSet(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => v !== undefined && v !== '');
}

/** Where ocf-shellfuncs would send log lines, from the variables pacemaker-execd exports. */
export function logTargets(vars: NodeJS.ProcessEnv, terminal: boolean): LogTargets {
  const facility = firstSet(vars.HA_LOGFACILITY, vars.PCMK_LOGFACILITY, vars.HA_logfacility, vars.PCMK_logfacility);
  const debugFlag = firstSet(vars.HA_debug, vars.PCMK_debug);
  return {
    file: firstSet(vars.HA_LOGFILE, vars.PCMK_LOGFILE),
    debugFile: firstSet(vars.HA_DEBUGLOG, vars.PCMK_DEBUGLOG),
    facility: facility === undefined || facility === 'none' ? undefined : facility,
    debug: debugFlag !== undefined && debugFlag !== '0' && debugFlag !== 'no' && debugFlag !== 'false',
    terminal,
  };
}

function timestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}/${p(date.getMonth() + 1)}/${p(date.getDate())}_${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

/**
 * The agent's logger. File targets are appended synchronously (no fork); syslog lines are queued and
 * sent by one `logger` process at the end of the action, and only if anything was logged.
 */
export class Logger {
  readonly tag: string;
  readonly targets: LogTargets;
  readonly #secrets = new Set<string>();
  #syslogQueue: string[] = [];

  constructor(tag: string, targets: LogTargets) {
    this.tag = tag;
    this.targets = targets;
  }

  /** Does anything besides stderr receive log lines? */
  get persistent(): boolean {
    return this.targets.file !== undefined || this.targets.facility !== undefined;
  }

  /** Values that must never be written anywhere. */
  addSecret(value: string | undefined): void {
    if (value !== undefined && value.length > 0) this.#secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join('***');
    return out;
  }

  err(message: string): void {
    this.log('err', message);
  }
  warn(message: string): void {
    this.log('warning', message);
  }
  info(message: string): void {
    this.log('info', message);
  }
  debug(message: string): void {
    this.log('debug', message);
  }

  log(level: LogLevel, message: string): void {
    const t = this.targets;
    if (level === 'debug' && !t.debug) return;
    const text = `${LABEL[level]}: ${this.redact(message)}`;
    if (t.terminal) {
      writeOut(2, `${this.tag}: ${text}\n`);
      return;
    }
    const line = `${timestamp(new Date())} ${this.tag}:    ${text}\n`;
    if (level === 'debug') {
      if (t.debugFile) this.#append(t.debugFile, line);
      return;
    }
    if (t.file) this.#append(t.file, line);
    if (t.debugFile && t.debugFile !== t.file && t.debug) this.#append(t.debugFile, line);
    if (t.facility) {
      const priority = (FACILITY[t.facility] ?? FACILITY.daemon!) * 8 + SEVERITY[level];
      this.#syslogQueue.push(`<${priority}>${text}`);
    }
    if (!t.file && !t.facility) writeOut(2, line);
  }

  #append(file: string, line: string): void {
    try {
      appendFileSync(file, line);
    } catch {
      // A log target we cannot write must not change the action's result.
    }
  }

  /** Sends queued syslog lines with one `logger` run, bounded to `timeoutMs`. */
  async flush(timeoutMs = 1000): Promise<void> {
    const lines = this.#syslogQueue;
    this.#syslogQueue = [];
    if (lines.length === 0) return;
    await new Promise<void>((resolve) => {
      try {
        const child = childProcess().spawn('logger', ['--prio-prefix', '-t', this.tag], {
          stdio: ['pipe', 'ignore', 'ignore'],
          timeout: timeoutMs,
          env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' },
        });
        child.on('error', () => resolve());
        child.on('close', () => resolve());
        child.stdin.on('error', () => undefined);
        child.stdin.end(lines.join('\n') + '\n');
      } catch {
        resolve();
      }
    });
  }
}

/**
 * A decision's inputs or verdict as one line for a debug log: JSON, with Maps, Sets and bigints spelled
 * out. Never throws (a debug line must not change an action's result).
 */
export function asText(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Map ? Object.fromEntries(v) : v instanceof Set ? [...v] : typeof v === 'bigint' ? v.toString() : v,
    );
  } catch {
    return String(value);
  }
}
