import type { ActionContext, Outcome } from '../ocf/agent.ts';
import { GenericError } from '../ocf/errors.ts';
import { OCF } from '../ocf/exit-codes.ts';
import { connect, quoteTable, SqlError, type SqlSession } from './client.ts';
import { endpointOf, testCredentials } from './instance.ts';
import type { MysqlParameters } from './parameters.ts';
import { isPromotable } from './clone.ts';
import { assessAndPublishRole, type RoleReport } from './role-monitor.ts';
import { serverStatus } from './status.ts';

/** Cap on one SQL call at depth 10; the action deadline caps it further. */
const QUERY_CAP_MS = 10_000;

/**
 * Depth 0: the pid is a live MySQL server and it greets on its socket. Depth 10 adds the test query as
 * test_user. A failure of either is 1 (or 190 when the server turns clients away), never 7.
 */
export async function monitor(ctx: ActionContext<MysqlParameters>): Promise<Outcome> {
  const { params, deadline, log } = ctx;
  const status = await serverStatus(params, deadline);
  if (status.kind === 'stopped') {
    // A probe reports the state; a recurring monitor that finds the server dead reports the crash.
    if (status.crashed && !ctx.probe) throw new GenericError(`mysqld is gone without a clean shutdown: ${status.detail}`);
    if (!ctx.probe) log.info(`not running: ${status.detail}`);
    return { code: OCF.NOT_RUNNING, note: status.detail };
  }
  if (status.kind === 'saturated') {
    return { code: OCF.DEGRADED, reason: `mysqld (pid ${status.process.pid}) turns clients away: ${status.message}` };
  }
  const running = `running (pid ${status.process.pid}, ${status.version})`;
  if (ctx.depth < 10) {
    if (!isPromotable(ctx.env)) return { code: OCF.SUCCESS, note: running };
    return withRole(running, await assessAndPublishRole(ctx, status.version));
  }

  const credentials = testCredentials(params, new Set(ctx.env.reskeys.keys()));
  let session: SqlSession | undefined;
  try {
    let rows;
    try {
      session = await connect(endpointOf(params), credentials, deadline, QUERY_CAP_MS);
      rows = await session.query<{ n: number }[]>(`SELECT COUNT(*) AS n FROM ${quoteTable(params.test_table)}`, QUERY_CAP_MS);
    } catch (error) {
      if (!(error instanceof SqlError)) throw error;
      if (error.errno === 1040) return { code: OCF.DEGRADED, reason: `mysqld turns clients away: ${error.message}` };
      if (error.accessDenied) {
        throw new GenericError(`test_user ${credentials.user} was denied access; check test_user, test_passwd or client_option_file`, {
          cause: error,
        });
      }
      if (error.timedOut)
        throw new GenericError(`test query on ${params.test_table} timed out: mysqld hung or overloaded`, { cause: error });
      throw new GenericError(`test query on ${params.test_table} failed: ${error.message}`, { cause: error });
    }
    const tested = `${running}; ${params.test_table} has ${rows[0]?.n ?? 0} rows`;
    if (!isPromotable(ctx.env)) return { code: OCF.SUCCESS, note: tested };
    // The clone's role through the same session: one SQL session per monitor (role-monitor.ts).
    return withRole(tested, await assessAndPublishRole(ctx, status.version, session));
  } finally {
    session?.close();
  }
}

function withRole(running: string, role: RoleReport): Outcome {
  return { code: role.role === 'primary' ? OCF.RUNNING_PROMOTED : OCF.SUCCESS, note: `${running}; ${role.note}` };
}
