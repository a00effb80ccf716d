import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ActionContext, ValidationScope } from '../../../shared/ocf/agent.ts';
import { ConfigurationError, GenericError, NotInstalledError, UnimplementedError } from '../../../shared/ocf/errors.ts';
import { OCF } from '../../../shared/ocf/exit-codes.ts';
import { run } from '../../../shared/ocf/run.ts';
import { exitReasonLines, pacemakerEnv } from '../../support/pacemaker-env.ts';
import { INSTALLED } from '../../support/paths.ts';
import { useTempDirs } from '../helpers.ts';
import { sampleAgent, type SampleOptions, type SampleParameters } from './sample-agent.ts';

class ExitSignal extends Error {
  readonly code: number | string | null | undefined;
  constructor(code: number | string | null | undefined) {
    super(`process.exit(${String(code)})`);
    this.code = code;
  }
}

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Lines of stderr that carry the exit reason prefix, prefix included. */
  readonly reasons: string[];
  /** What the agent appended to HA_LOGFILE. */
  readonly log: string;
}

const tempDir = useTempDirs();
let stdout = '';
let stderr = '';
let logFile = '';

// Whether a person is at the keyboard is decided by isTerminal(0); a test runner's stdin is never a
// terminal, so that one answer is stood in for. Everything else runs for real.
const tty = vi.hoisted(() => ({ stdinIsTerminal: false }));
// The agent writes to its file descriptors directly (stdio.ts); here those writes go through the
// process streams, which the tests capture.
vi.mock('../../../shared/ocf/stdio.ts', () => ({
  writeOut: (fd: 1 | 2, text: string) => (fd === 1 ? process.stdout : process.stderr).write(text),
  isTerminal: (fd: number) => fd === 0 && tty.stdinIsTerminal,
}));

function setTerminal(terminal: boolean): void {
  tty.stdinIsTerminal = terminal;
}

beforeEach(() => {
  stdout = '';
  stderr = '';
  logFile = join(tempDir(), 'ha-log');
  setTerminal(false);
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new ExitSignal(code);
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  setTerminal(false);
});

/** The environment pacemaker-execd would give the sample agent, with a valid required parameter. */
function pacemaker(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return pacemakerEnv({ name: 'db' }, { OCF_RESOURCE_INSTANCE: 'thing', OCF_RESOURCE_TYPE: 'sample', HA_LOGFILE: logFile, ...extra });
}

async function invoke(options: SampleOptions, action: string | undefined, vars: NodeJS.ProcessEnv = pacemaker()): Promise<Ran> {
  const argv = ['/usr/bin/node', join(INSTALLED, 'sample'), ...(action === undefined ? [] : [action])];
  try {
    await run(sampleAgent(options), argv, vars);
  } catch (error) {
    if (!(error instanceof ExitSignal)) throw error;
    return {
      code: Number(error.code),
      stdout,
      stderr,
      reasons: exitReasonLines(stderr, vars.OCF_EXIT_REASON_PREFIX),
      log: existsSync(logFile) ? readFileSync(logFile, 'utf8') : '',
    };
  }
  throw new Error('run returned without exiting');
}

/** Records every validation and handler call. */
function recorder() {
  const calls: { what: string; scope?: ValidationScope; ctx: ActionContext<SampleParameters> }[] = [];
  const options: SampleOptions = {
    validate: async (ctx, scope) => {
      calls.push({ what: 'validate', scope, ctx });
    },
    actions: {
      start: { timeout: 60, run: async (ctx) => (calls.push({ what: 'start', ctx }), OCF.SUCCESS) },
      stop: { timeout: 60, run: async (ctx) => (calls.push({ what: 'stop', ctx }), OCF.SUCCESS) },
      monitor: { timeout: 20, interval: 10, run: async (ctx) => (calls.push({ what: 'monitor', ctx }), OCF.SUCCESS) },
      notify: { timeout: 20, run: async (ctx) => (calls.push({ what: 'notify', ctx }), OCF.SUCCESS) },
    },
  };
  return { calls, options, whats: () => calls.map((c) => (c.scope ? `${c.what}:${c.scope}` : c.what)) };
}

describe('meta-data', () => {
  it('meta-data exits 0 with the XML and runs no validation, even with invalid or missing parameters', async () => {
    const r = recorder();
    const ran = await invoke(r.options, 'meta-data', pacemaker({ OCF_RESKEY_name: '', OCF_RESKEY_count: 'many' }));
    expect(ran.code).toBe(OCF.SUCCESS);
    expect(ran.stdout).toMatch(/^<\?xml version="1.0"\?>\n<resource-agent name="sample" version="1.2.3">/);
    expect(ran.stdout).toContain('<version>1.1</version>');
    expect(ran.stderr).toBe('');
    expect(r.calls).toEqual([]);
  });

  it('meta-data for a caller that does not say its OCF version is 1.0', async () => {
    const vars = pacemaker();
    delete vars.OCF_RA_VERSION_MAJOR;
    delete vars.OCF_RA_VERSION_MINOR;
    const ran = await invoke({}, 'meta-data', vars);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">');
    expect(ran.stdout).toContain('<version>1.0</version>');
  });
});

describe('usage', () => {
  it.each(['usage', 'help', '--help', '-h'])('%s exits 0 with the usage on stdout and runs no validation', async (action) => {
    const r = recorder();
    const ran = await invoke(r.options, action, pacemaker({ OCF_RESKEY_count: 'many' }));
    expect(ran.code).toBe(OCF.SUCCESS);
    expect(ran.stdout).toMatch(/^usage: sample \{start\|stop\|monitor\|notify\|validate-all\|meta-data\|usage\}\n/);
    expect(ran.stderr).toBe('');
    expect(r.calls).toEqual([]);
  });

  it('no action exits 2 (ERR_ARGS) with the usage on stderr and an exit reason', async () => {
    const ran = await invoke({}, undefined);
    expect(ran.code).toBe(OCF.ERR_ARGS);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toMatch(/^usage: sample \{/);
    expect(ran.reasons).toEqual(['ocf-exit-reason:no action given']);
  });
});

describe('actions', () => {
  it.each(['frobnicate', 'promote', 'migrate_to'])(
    '%s, which the agent lacks, exits 3 (ERR_UNIMPLEMENTED) with an exit reason',
    async (action) => {
      const r = recorder();
      const ran = await invoke(r.options, action);
      expect(ran.code).toBe(OCF.ERR_UNIMPLEMENTED);
      expect(ran.reasons).toEqual([`ocf-exit-reason:action ${action} is not implemented by sample`]);
      expect(r.calls).toEqual([]);
    },
  );

  it('start validates the local environment, then starts', async () => {
    const r = recorder();
    expect((await invoke(r.options, 'start')).code).toBe(OCF.SUCCESS);
    expect(r.whats()).toEqual(['validate:local', 'start']);
  });

  it.each(['monitor', 'notify'])('%s validates the parameters only', async (action) => {
    const r = recorder();
    expect((await invoke(r.options, action)).code).toBe(OCF.SUCCESS);
    expect(r.whats()).toEqual(['validate:parameters', action]);
  });

  it('stop runs no validation', async () => {
    const r = recorder();
    expect((await invoke(r.options, 'stop')).code).toBe(OCF.SUCCESS);
    expect(r.whats()).toEqual(['stop']);
  });

  it('an action declared with validate: none skips validation', async () => {
    let validated = false;
    const ran = await invoke(
      {
        validate: async () => {
          validated = true;
        },
        actions: { start: { timeout: 10, validate: 'none', run: async () => OCF.SUCCESS } },
      },
      'start',
    );
    expect(ran.code).toBe(OCF.SUCCESS);
    expect(validated).toBe(false);
  });

  it('status is monitor', async () => {
    const r = recorder();
    await invoke(r.options, 'status');
    expect(r.whats()).toEqual(['validate:parameters', 'monitor']);
    expect(r.calls[1]!.ctx.action).toBe('monitor');
  });

  it('the handler gets typed parameters, the environment, the probe flag and the depth', async () => {
    const r = recorder();
    await invoke(r.options, 'monitor', pacemaker({ OCF_RESKEY_count: '9', OCF_RESKEY_wait: '2min', OCF_CHECK_LEVEL: '10' }));
    const ctx = r.calls[1]!.ctx;
    expect(ctx.params).toMatchObject({ name: 'db', count: 9, wait: 120, verbose: false, mode: 'safe' });
    expect(ctx.env.instance).toBe('thing');
    expect(ctx.probe).toBe(true);
    expect(ctx.depth).toBe(10);
  });

  it('a recurring monitor is not a probe and depth defaults to 0', async () => {
    const r = recorder();
    await invoke(r.options, 'monitor', pacemaker({ OCF_RESKEY_CRM_meta_interval: '10000' }));
    expect(r.calls[1]!.ctx.probe).toBe(false);
    expect(r.calls[1]!.ctx.depth).toBe(0);
  });

  it('the deadline comes from the operation timeout less its margin', async () => {
    const r = recorder();
    await invoke(r.options, 'start', pacemaker({ OCF_RESKEY_CRM_meta_timeout: '20000' }));
    const deadline = r.calls[0]!.ctx.deadline;
    expect(deadline.totalMs).toBeLessThanOrEqual(18_000);
    expect(deadline.totalMs).toBeGreaterThan(0);
  });

  it('without an operation timeout the declared timeout is used', async () => {
    const r = recorder();
    const vars = pacemaker();
    delete vars.OCF_RESKEY_CRM_meta_timeout;
    await invoke(r.options, 'start', vars);
    const deadline = r.calls[0]!.ctx.deadline;
    expect(deadline.totalMs).toBeGreaterThan(18_000);
    expect(deadline.totalMs).toBeLessThanOrEqual(55_000);
  });

  it('a handler outcome with a reason exits with its code and the reason', async () => {
    const ran = await invoke(
      { actions: { monitor: { timeout: 10, run: async () => ({ code: OCF.DEGRADED, reason: 'replica lags 400 s' }) } } },
      'monitor',
    );
    expect(ran.code).toBe(OCF.DEGRADED);
    expect(ran.reasons).toEqual(['ocf-exit-reason:replica lags 400 s']);
    expect(ran.log).toContain('WARNING: replica lags 400 s');
  });

  it('a failure reason is also logged as an error', async () => {
    const ran = await invoke(
      { actions: { start: { timeout: 10, run: async () => ({ code: OCF.ERR_GENERIC, reason: 'no socket' }) } } },
      'start',
    );
    expect(ran.code).toBe(OCF.ERR_GENERIC);
    expect(ran.log).toContain('ERROR: no socket');
  });

  it('a reason over several lines becomes one line', async () => {
    const ran = await invoke(
      { actions: { start: { timeout: 10, run: async () => ({ code: OCF.ERR_GENERIC, reason: 'first\n  second\nthird\n' }) } } },
      'start',
    );
    expect(ran.reasons).toEqual(['ocf-exit-reason:first | second | third']);
  });

  it('with no log file and no syslog the reason is written to stderr once', async () => {
    const vars = pacemaker();
    delete vars.HA_LOGFILE;
    const ran = await invoke(
      { actions: { start: { timeout: 10, run: async () => ({ code: OCF.ERR_GENERIC, reason: 'no socket' }) } } },
      'start',
      vars,
    );
    expect(ran.stderr).toBe('ocf-exit-reason:no socket\n');
  });

  it('a note is not an exit reason', async () => {
    const ran = await invoke(
      { actions: { stop: { timeout: 10, run: async () => ({ code: OCF.SUCCESS, note: 'was not running' }) } } },
      'stop',
    );
    expect(ran.code).toBe(OCF.SUCCESS);
    expect(ran.stderr).toBe('');
  });
});

describe('validate-all', () => {
  it.each<[string | undefined, ValidationScope]>([
    [undefined, 'local'],
    ['0', 'parameters'],
    ['10', 'local'],
  ])('with OCF_CHECK_LEVEL %j validates at scope %s and exits 0', async (level, scope) => {
    const r = recorder();
    const ran = await invoke(r.options, 'validate-all', pacemaker(level === undefined ? {} : { OCF_CHECK_LEVEL: level }));
    expect(ran.code).toBe(OCF.SUCCESS);
    expect(r.whats()).toEqual([`validate:${scope}`]);
  });

  it('a validator failure exits with its code', async () => {
    const ran = await invoke(
      {
        validate: async () => {
          throw new NotInstalledError('mysqld not found at /usr/sbin/mysqld');
        },
      },
      'validate-all',
    );
    expect(ran.code).toBe(OCF.ERR_INSTALLED);
    expect(ran.reasons).toEqual(['ocf-exit-reason:mysqld not found at /usr/sbin/mysqld']);
  });
});

describe('configuration errors', () => {
  it('an invalid parameter exits 6 with "<prefix><message>" as the exit reason', async () => {
    const r = recorder();
    const ran = await invoke(r.options, 'start', pacemaker({ OCF_EXIT_REASON_PREFIX: 'WHY>>', OCF_RESKEY_count: 'many' }));
    expect(ran.code).toBe(OCF.ERR_CONFIGURED);
    expect(ran.reasons).toEqual(['WHY>>parameter count expects an integer, got "many"']);
    expect(ran.stderr).toBe('WHY>>parameter count expects an integer, got "many"\n');
    expect(r.calls).toEqual([]);
  });

  it('a missing required parameter exits 6', async () => {
    const vars = pacemaker();
    delete vars.OCF_RESKEY_name;
    const ran = await invoke({}, 'monitor', vars);
    expect(ran.code).toBe(OCF.ERR_CONFIGURED);
    expect(ran.reasons).toEqual(['ocf-exit-reason:parameter name is required and was not given']);
  });

  it('a ConfigurationError from validation exits 6', async () => {
    const ran = await invoke(
      {
        validate: async () => {
          throw new ConfigurationError('datadir and socket clash');
        },
      },
      'start',
    );
    expect(ran.code).toBe(OCF.ERR_CONFIGURED);
    expect(ran.reasons).toEqual(['ocf-exit-reason:datadir and socket clash']);
  });

  it('stop proceeds when only a monitorOnly parameter is invalid, and warns', async () => {
    const r = recorder();
    const ran = await invoke(r.options, 'stop', pacemaker({ OCF_RESKEY_probe_limit: 'lots' }));
    expect(ran.code).toBe(OCF.SUCCESS);
    expect(r.whats()).toEqual(['stop']);
    expect(ran.log).toContain('WARNING: parameter probe_limit expects an integer, got "lots"; stop proceeds without it');
    expect(ran.reasons).toEqual([]);
  });

  it('stop fails with 6 when a parameter it needs is invalid', async () => {
    const r = recorder();
    const ran = await invoke(r.options, 'stop', pacemaker({ OCF_RESKEY_probe_limit: 'lots', OCF_RESKEY_count: 'many' }));
    expect(ran.code).toBe(OCF.ERR_CONFIGURED);
    expect(ran.reasons).toEqual(['ocf-exit-reason:parameter count expects an integer, got "many"']);
    expect(r.calls).toEqual([]);
  });

  it('other actions refuse an invalid monitorOnly parameter', async () => {
    const ran = await invoke({}, 'start', pacemaker({ OCF_RESKEY_probe_limit: 'lots' }));
    expect(ran.code).toBe(OCF.ERR_CONFIGURED);
  });

  it('unknown parameters are ignored', async () => {
    const ran = await invoke({}, 'start', pacemaker({ OCF_RESKEY_colour: 'blue' }));
    expect(ran.code).toBe(OCF.SUCCESS);
  });
});

describe('failures', () => {
  it('a handler throwing a plain Error exits 1 with "unexpected failure…"', async () => {
    const ran = await invoke(
      {
        actions: {
          start: {
            timeout: 10,
            run: async () => {
              throw new Error('boom');
            },
          },
        },
      },
      'start',
    );
    expect(ran.code).toBe(OCF.ERR_GENERIC);
    expect(ran.reasons).toEqual(['ocf-exit-reason:unexpected failure in start: boom']);
  });

  it('a handler throwing a non-Error exits 1 too', async () => {
    const ran = await invoke(
      {
        actions: {
          start: {
            timeout: 10,
            run: async () => {
              throw 'a string';
            },
          },
        },
      },
      'start',
    );
    expect(ran.code).toBe(OCF.ERR_GENERIC);
    expect(ran.reasons).toEqual(['ocf-exit-reason:unexpected failure in start: a string']);
  });

  it('a handler throwing an OcfError exits with its code and message', async () => {
    const ran = await invoke(
      {
        actions: {
          monitor: {
            timeout: 10,
            run: async () => {
              throw new UnimplementedError('depth 20 is not supported');
            },
          },
        },
      },
      'monitor',
    );
    expect(ran.code).toBe(OCF.ERR_UNIMPLEMENTED);
    expect(ran.reasons).toEqual(['ocf-exit-reason:depth 20 is not supported']);
  });

  it('the cause of an OcfError is logged at debug level only', async () => {
    const vars = pacemaker({ HA_DEBUGLOG: `${logFile}.debug`, HA_debug: '1' });
    const ran = await invoke(
      {
        actions: {
          start: {
            timeout: 10,
            run: async () => {
              throw new GenericError('server did not start', { cause: new Error('EADDRINUSE') });
            },
          },
        },
      },
      'start',
      vars,
    );
    expect(ran.reasons).toEqual(['ocf-exit-reason:server did not start']);
    expect(readFileSync(`${logFile}.debug`, 'utf8')).toContain('DEBUG: server did not start: caused by Error: EADDRINUSE');
  });
});

describe('secrets', () => {
  const SECRET = 'Tr0ub4dor&3';

  it.each([
    ['an OcfError', () => new GenericError(`login as admin with ${SECRET} refused`)],
    ['a plain Error', () => new Error(`login as admin with ${SECRET} refused`)],
  ])('never appear in the exit reason, even when %s message holds one', async (_, make) => {
    const ran = await invoke(
      {
        actions: {
          start: {
            timeout: 10,
            run: async () => {
              throw make();
            },
          },
        },
      },
      'start',
      pacemaker({ OCF_RESKEY_password: SECRET }),
    );
    expect(ran.code).toBe(OCF.ERR_GENERIC);
    expect(ran.reasons).toHaveLength(1);
    expect(ran.reasons[0]).toContain('login as admin with *** refused');
    expect(ran.stderr).not.toContain(SECRET);
    expect(ran.log).not.toContain(SECRET);
    expect(ran.log).toContain('***');
  });

  it('never appear in a reason returned by the handler', async () => {
    const ran = await invoke(
      { actions: { monitor: { timeout: 10, run: async (ctx) => ({ code: OCF.ERR_GENERIC, reason: `bad ${ctx.params.password}` }) } } },
      'monitor',
      pacemaker({ OCF_RESKEY_password: SECRET }),
    );
    expect(ran.reasons).toEqual(['ocf-exit-reason:bad ***']);
  });

  it('never appear in what a person at a terminal sees', async () => {
    setTerminal(true);
    const ran = await invoke(
      {
        actions: {
          start: {
            timeout: 10,
            run: async () => {
              throw new Error(`auth ${SECRET}`);
            },
          },
        },
      },
      'start',
      pacemaker({ OCF_RESKEY_password: SECRET }),
    );
    expect(ran.code).toBe(OCF.ERR_GENERIC);
    expect(ran.stderr).not.toContain(SECRET);
    expect(ran.stderr).toMatch(
      /^start: 1 ERR_GENERIC - unexpected failure in start: auth \*\*\* \(\d+ ms\); Pacemaker would recover it in place \(restart\)$/m,
    );
  });
});

describe('at a terminal', () => {
  it('a person sees the code, its name and the note', async () => {
    setTerminal(true);
    const ran = await invoke(
      { actions: { monitor: { timeout: 10, run: async () => ({ code: OCF.NOT_RUNNING, note: 'no pid file' }) } } },
      'monitor',
    );
    expect(ran.code).toBe(OCF.NOT_RUNNING);
    expect(ran.stderr).toMatch(/^monitor: 7 NOT_RUNNING - no pid file \(\d+ ms\)\n$/);
    expect(ran.log).toBe('');
  });

  it('validate-all says the configuration is valid', async () => {
    setTerminal(true);
    const ran = await invoke({}, 'validate-all');
    expect(ran.stderr).toMatch(/^validate-all: 0 SUCCESS - configuration is valid \(\d+ ms\)\n$/);
  });
});
