import { basename } from 'node:path';
import { sinceStartMs } from './clock.ts';
import {
  DEFAULT_VALIDATE_TIMEOUT,
  type ActionContext,
  type ActionDeclaration,
  type ActionName,
  type Agent,
  type Outcome,
  type ValidationScope,
} from './agent.ts';
import { Deadline } from './deadline.ts';
import { isProbe, readEnvironment, speaksOcf11, type OcfEnvironment } from './environment.ts';
import { OcfError, UnimplementedError } from './errors.ts';
import { OCF, ocfName, RECOVERY, type OcfCode, type Recovery } from './exit-codes.ts';
import { Logger, logTargets } from './log.ts';
import { findOnPath } from './executable.ts';
import { metadata } from './metadata.ts';
import { isTerminal, writeOut } from './stdio.ts';
import type { ParameterTable, ParameterValues } from './parameters.ts';
import { assertNoProblems, readParameters } from './read-parameters.ts';
import { usage } from './usage.ts';

const HELP = new Set(['usage', 'help', '--help', '-h']);

/** Validation before each action unless the declaration says otherwise. */
function defaultScope(action: string, env: OcfEnvironment): ValidationScope | 'none' {
  switch (action) {
    case 'stop':
      // A failed stop means fencing: stop needs only what stopping needs.
      return 'none';
    case 'monitor':
    case 'notify':
    case 'reload-agent':
      return 'parameters';
    case 'validate-all':
      // Level 0 checks the values alone; unset or higher also checks this node's environment.
      return env.checkLevel === 0 ? 'parameters' : 'local';
    default:
      return 'local';
  }
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' | ');
}

interface Result {
  readonly code: OcfCode;
  readonly reason: string | undefined;
  readonly note: string | undefined;
}

function fromOutcome(outcome: Outcome): Result {
  return typeof outcome === 'number'
    ? { code: outcome, reason: undefined, note: undefined }
    : { code: outcome.code, reason: outcome.reason, note: outcome.note };
}

/**
 * Owns the OCF protocol: meta-data and usage first, then typed parameters, validation, the action.
 * The only place that exits the process.
 */
export async function run<P extends ParameterTable>(
  agent: Agent<P>,
  argv: readonly string[] = process.argv,
  vars: NodeJS.ProcessEnv = process.env,
): Promise<never> {
  const action = argv[2] ?? '';
  const program = basename(argv[1] ?? agent.name);
  const env = readEnvironment(vars);

  if (action === 'meta-data') {
    writeOut(1, metadata(agent, speaksOcf11(env) ? '1.1' : '1.0'));
    return exit(OCF.SUCCESS);
  }
  if (HELP.has(action)) {
    writeOut(1, usage(agent, program));
    return exit(OCF.SUCCESS);
  }

  // isatty, not process.stdin.isTTY: touching process.stdin builds a stream (milliseconds per call).
  const terminal = isTerminal(0);
  const log = new Logger(`${agent.name}(${env.instance})[${process.pid}]`, logTargets(vars, terminal));
  const result = await perform(agent, action === 'status' ? 'monitor' : action, env, log, program);

  if (result.reason !== undefined) {
    const reason = oneLine(log.redact(result.reason));
    writeOut(2, `${env.exitReasonPrefix}${reason}\n`);
    // Also logged, unless the log is stderr, which already has the line.
    if (!terminal && log.persistent)
      log.log(result.code === OCF.DEGRADED || result.code === OCF.DEGRADED_PROMOTED ? 'warning' : 'err', reason);
  }
  if (terminal) {
    const why = result.reason ?? result.note;
    const ms = Math.round(sinceStartMs());
    const recovery = RECOVERY_TEXT[RECOVERY[result.code]];
    writeOut(
      2,
      `${action}: ${result.code} ${ocfName(result.code)}${why ? ` - ${log.redact(oneLine(why))}` : ''} (${ms} ms)` +
        `${recovery ? `; ${recovery}` : ''}\n`,
    );
  }
  await log.flush();
  return exit(result.code);
}

async function perform<P extends ParameterTable>(
  agent: Agent<P>,
  action: string,
  env: OcfEnvironment,
  log: Logger,
  program: string,
): Promise<Result> {
  if (action === '') {
    writeOut(2, usage(agent, program));
    return { code: OCF.ERR_ARGS, reason: 'no action given', note: undefined };
  }
  const declared: ActionDeclaration<P> | undefined = action === 'validate-all' ? undefined : agent.actions[action as ActionName];
  if (action !== 'validate-all' && declared === undefined) {
    return { code: OCF.ERR_UNIMPLEMENTED, reason: `action ${action} is not implemented by ${agent.name}`, note: undefined };
  }
  const timeoutMs = env.timeoutMs ?? (declared?.timeout ?? agent.validateTimeout ?? DEFAULT_VALIDATE_TIMEOUT) * 1000;
  const deadline = Deadline.forOperation(timeoutMs);
  try {
    const reading = readParameters(agent, env.reskeys);
    const values = resolveExecutables(agent, reading.values, env.vars.PATH, log);
    for (const secret of reading.secrets) log.addSecret(secret);
    for (const name of reading.unknown) {
      if (!name.startsWith('crm_')) log.debug(`ignoring unknown parameter ${name}`);
    }
    if (action === 'stop') {
      // Stop goes on past values only monitor reads; anything else it needs must be valid.
      for (const [name, problem] of reading.problems) {
        if (agent.parameters[name]?.monitorOnly) log.warn(`${problem}; stop proceeds without it`);
        else assertNoProblems(new Map([[name, problem]]));
      }
    } else {
      assertNoProblems(reading.problems);
    }
    const ctx: ActionContext<P> = {
      action,
      params: values,
      env,
      deadline,
      log,
      probe: isProbe(env, action),
      depth: env.checkLevel ?? 0,
    };
    const scope = declared?.validate ?? defaultScope(action, env);
    if (scope !== 'none') await agent.validate(ctx, scope);
    if (declared === undefined) return { code: OCF.SUCCESS, reason: undefined, note: 'configuration is valid' };
    return fromOutcome(await declared.run(ctx));
  } catch (error) {
    if (error instanceof OcfError) {
      if (error instanceof UnimplementedError) return { code: error.code, reason: error.message, note: undefined };
      if (error.cause !== undefined) log.debug(`${error.message}: caused by ${String(error.cause)}`);
      return { code: error.code, reason: error.message, note: undefined };
    }
    const message = error instanceof Error ? error.message : String(error);
    log.debug(error instanceof Error && error.stack ? error.stack : message);
    return { code: OCF.ERR_GENERIC, reason: `unexpected failure in ${action}: ${message}`, note: undefined };
  }
}

/** Programs given as bare names, as found on the agent's PATH (a name found nowhere stays bare). */
function resolveExecutables<P extends ParameterTable>(
  agent: Agent<P>,
  values: ParameterValues<P>,
  path: string | undefined,
  log: Logger,
): ParameterValues<P> {
  const resolved: Record<string, unknown> = { ...values };
  for (const [name, decl] of Object.entries(agent.parameters)) {
    const value = resolved[name];
    if (!decl.executable || typeof value !== 'string' || value === '' || value.includes('/')) continue;
    const found = findOnPath(value, path);
    if (found) {
      log.debug(`${name} ${value} is ${found} (PATH ${path ?? ''})`);
      resolved[name] = found;
    }
  }
  return resolved as ParameterValues<P>;
}

/** For a person at a shell: what Pacemaker would do with a failure of this class. */
const RECOVERY_TEXT: Readonly<Record<Recovery, string | undefined>> = {
  none: undefined,
  soft: 'Pacemaker would recover it in place (restart)',
  hard: 'Pacemaker would keep it off this node until crm_resource --cleanup',
  fatal: 'Pacemaker would stop it on every node until the configuration is fixed',
};

function exit(code: OcfCode): never {
  process.exit(code);
}
