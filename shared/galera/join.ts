/**
 * Bringing the server into the primary component, as an observed phase: a bootstrap forms it, a joiner
 * receives IST or SST first. Progress goes to the log as it happens; the phase has its own bound
 * (sst_timeout, else the promote deadline), after which the joiner is stopped, which ends the state
 * transfer, and the promote fails saying where it was.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monotonicMs } from '../ocf/clock.ts';
import { Deadline } from '../ocf/deadline.ts';
import { DeadlineError, GenericError } from '../ocf/errors.ts';
import { sizeOf } from '../process/log-tail.ts';
import { launchServer, stopServer } from '../mysql/lifecycle.ts';
import { assessMember, type WsrepStatus } from './decide.ts';
import { clusterArguments, withCheckSession, type Ctx } from './instance.ts';
import { startPositionArguments } from './position.ts';
import { withSafeToBootstrap } from './state-files.ts';
import { readWsrepStatus } from './wsrep.ts';

/** How long a joiner stopped at its bound gets before SIGKILL (terminate keeps part of it for the kill). */
const JOINER_STOP_MS = 10_000;

/** Error-log lines that tell a state transfer's progress. */
const PHASE_LINE =
  /WSREP: (Shifting \S+ -> \S+|Member .* requested state transfer.*|.*State transfer (?:to|from) .*(?:complete|failed).*|(?:SST|IST) received.*|.*SST .*failed.*)/i;

/** New progress lines of the server's error log since the last call, each once. */
function progressReader(logFile: string): () => string[] {
  let offset = sizeOf(logFile);
  return () => {
    const size = sizeOf(logFile);
    if (size <= offset) return [];
    let text = '';
    try {
      text = readFileSync(logFile, 'utf8').slice(offset);
    } catch {
      return [];
    }
    offset = size;
    return text
      .split('\n')
      .map((l) => PHASE_LINE.exec(l)?.[1])
      .filter((l): l is string => l !== undefined)
      .map((l) => (l.length > 200 ? `${l.slice(0, 197)}...` : l));
  };
}

/** MariaDB refuses --wsrep-new-cluster on a node whose grastate.dat says it may not bootstrap. */
function markSafeToBootstrap(datadir: string): void {
  const file = join(datadir, 'grastate.dat');
  try {
    writeFileSync(file, withSafeToBootstrap(readFileSync(file, 'utf8')));
  } catch {
    // no grastate.dat (a new cluster): nothing to mark
  }
}

/**
 * Starts the server as a member (bootstrapping a new primary component or joining the running one)
 * and returns once it is Synced in a primary component.
 */
export async function bringIntoCluster(ctx: Ctx, bootstrap: boolean, self: string): Promise<WsrepStatus> {
  const { params: p, log } = ctx;
  const boundMs = p.sst_timeout > 0 ? Math.min(p.sst_timeout * 1000, ctx.deadline.remaining()) : ctx.deadline.remaining();
  const phase = new Deadline(boundMs);
  const progress = progressReader(p.log);
  let where = bootstrap ? 'forming a new primary component' : 'waiting for the primary component';
  const report = () => {
    for (const line of progress()) {
      where = line;
      log.info(`joining: ${line}`);
    }
  };
  const position = await startPositionArguments(ctx, self);
  if (bootstrap) markSafeToBootstrap(p.datadir);
  const began = monotonicMs();
  try {
    // The socket opens only once a state transfer is done: readiness waits through it, and logs it.
    await launchServer({ params: p, deadline: phase, log }, [...clusterArguments(ctx, bootstrap), ...position], {
      crashed: false,
      detail: '',
    }).finally(report);
    return await phase.until(
      where,
      async () => {
        report();
        const s = await withCheckSession({ ...ctx, deadline: phase }, (session) => readWsrepStatus(session)).catch(() => undefined);
        if (!s) return undefined;
        const verdict = assessMember(s);
        if (verdict.kind === 'synced') {
          log.info(`${bootstrap ? 'bootstrapped' : 'joined'}: ${verdict.note} after ${Math.round((monotonicMs() - began) / 1000)} s`);
          return s;
        }
        where = s.stateComment;
        return undefined;
      },
      250,
    );
  } catch (error) {
    report();
    const seconds = Math.round((monotonicMs() - began) / 1000);
    // Stopping the server ends its state transfer: the donor is released and nothing waits forever.
    // A joiner waiting on its transfer may not act on SIGTERM, and what it holds is being replaced
    // anyway: it gets a short grace, then SIGKILL, not the rest of the promote timeout.
    const stopping = new Deadline(Math.min(JOINER_STOP_MS, ctx.deadline.remaining()));
    await stopServer({ params: p, deadline: stopping, log }).catch(() => undefined);
    if (error instanceof DeadlineError || phase.expired()) {
      const bound = p.sst_timeout > 0 ? `sst_timeout ${p.sst_timeout} s` : 'the promote timeout';
      // The phase last: Pacemaker keeps 128 characters of an exit reason.
      throw new GenericError(`not Synced within ${seconds} s (${bound}): stopped, ending the state transfer; last phase: ${where}`, {
        cause: error,
      });
    }
    throw error;
  }
}
