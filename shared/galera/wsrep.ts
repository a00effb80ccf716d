import type { SqlSession } from '../mysql/client.ts';
import type { WsrepStatus } from './decide.ts';

/** The wsrep status variables the monitor and the join phase read, in one query. */
export async function readWsrepStatus(session: SqlSession, capMs = 5000): Promise<WsrepStatus & { readonly gcommUuid: string }> {
  const rows = await session.query<{ Variable_name: string; Value: string }[]>(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_status', 'wsrep_ready', 'wsrep_connected', 'wsrep_local_state', " +
      "'wsrep_local_state_comment', 'wsrep_cluster_size', 'wsrep_gcomm_uuid')",
    capMs,
  );
  const v = new Map(rows.map((r) => [r.Variable_name.toLowerCase(), r.Value]));
  return {
    clusterStatus: v.get('wsrep_cluster_status') ?? 'Disconnected',
    ready: v.get('wsrep_ready') === 'ON',
    connected: v.get('wsrep_connected') === 'ON',
    localState: Number(v.get('wsrep_local_state') ?? '0'),
    stateComment: v.get('wsrep_local_state_comment') ?? 'unknown',
    clusterSize: Number(v.get('wsrep_cluster_size') ?? '0'),
    gcommUuid: v.get('wsrep_gcomm_uuid') ?? '',
  };
}
