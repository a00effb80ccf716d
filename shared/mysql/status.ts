import { existsSync } from 'node:fs';
import type { Deadline } from '../ocf/deadline.ts';
import { GenericError } from '../ocf/errors.ts';
import { locateDaemon } from '../process/pid-file.ts';
import { isFrozen, type ProcessInfo } from '../process/proc.ts';
import { describeEndpoint, readGreeting, type Greeting } from './greeting.ts';
import { endpointOf, isServerProcess, type ServerPaths } from './instance.ts';

/** How long a live server may take to greet before monitor calls it hung. */
export const GREETING_CAP_MS = 5000;

export type ServerStatus =
  /** `crashed`: a pid file outlived its server, which a clean shutdown never leaves behind. */
  | { readonly kind: 'stopped'; readonly detail: string; readonly crashed: boolean }
  | { readonly kind: 'serving'; readonly process: ProcessInfo; readonly version: string }
  | { readonly kind: 'saturated'; readonly process: ProcessInfo; readonly message: string };

/**
 * Where the server is, from the pid file (identity-checked) and its greeting. Clean absence is
 * `stopped`; a server that is there but not serving is an error, never "stopped".
 */
export async function serverStatus(params: ServerPaths, deadline: Deadline): Promise<ServerStatus> {
  const found = locateDaemon(params.pid, (p) => isServerProcess(p, params.binary), 'a MySQL server');
  const endpoint = endpointOf(params);
  if (found.kind === 'stopped') {
    // The pid file says stopped; a server answering on our socket says otherwise.
    if (existsSync(params.socket)) {
      const g = await readGreeting(endpoint, deadline.budget(1000, 'socket check'));
      if (g.kind === 'handshake' || g.kind === 'error') {
        throw new GenericError(`a MySQL server answers on ${describeEndpoint(endpoint)}, but ${found.detail}`);
      }
    }
    return { kind: 'stopped', detail: found.detail, crashed: found.crashed };
  }
  const server = found.process;
  if (isFrozen(server)) {
    throw new GenericError(`mysqld (pid ${server.pid}) is stopped (process state ${server.state}) and serves nothing`);
  }
  const g: Greeting = await readGreeting(endpoint, deadline.budget(GREETING_CAP_MS, 'server greeting'));
  switch (g.kind) {
    case 'handshake':
      return { kind: 'serving', process: server, version: g.version };
    case 'error':
      // 1040: too many connections. Alive and answering, but clients are being turned away.
      if (g.errno === 1040) return { kind: 'saturated', process: server, message: g.message };
      throw new GenericError(`mysqld (pid ${server.pid}) refused a connection: error ${g.errno}: ${g.message}`);
    case 'refused':
      throw new GenericError(`mysqld (pid ${server.pid}) runs but ${describeEndpoint(endpoint)} refuses connections (${g.detail})`);
    case 'timeout':
      throw new GenericError(
        `mysqld (pid ${server.pid}) did not answer on ${describeEndpoint(endpoint)} within ${g.afterMs} ms: hung or overloaded`,
      );
    case 'garbled':
      throw new GenericError(`mysqld (pid ${server.pid}) sent an unexpected greeting: ${g.detail}`);
  }
}
