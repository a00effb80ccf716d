import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { ProcessInfo } from '../process/proc.ts';
import { allProcesses, readProcess } from '../process/proc.ts';
import { credentialsFrom, readOptionFile } from './option-file.ts';
import type { SqlCredentials } from './client.ts';
import type { Endpoint } from './greeting.ts';
import type { MysqlValues } from './parameters.ts';

const SERVER_NAMES = new Set(['mysqld', 'mariadbd']);

/** What locates one server instance: the mysql and galera families both have these parameters. */
export type ServerPaths = Pick<MysqlValues, 'binary' | 'pid' | 'socket' | 'datadir'>;

export function isSafeWrapper(binary: string): boolean {
  return basename(binary).includes('safe');
}

/** Is this process a MySQL/MariaDB server (and not, say, a recycled pid)? */
export function isServerProcess(p: ProcessInfo, binary: string): boolean {
  const names = [p.exe, p.argv[0]].filter((n): n is string => n !== undefined).map((n) => basename(n));
  const own = isSafeWrapper(binary) ? undefined : basename(binary);
  return names.some((n) => SERVER_NAMES.has(n) || n === own);
}

export function endpointOf(params: Pick<ServerPaths, 'socket'>): Endpoint {
  return { socketPath: params.socket };
}

/** Does the process serve this instance (its pid file, socket or datadir on its command line)? */
function servesInstance(p: ProcessInfo, params: ServerPaths): boolean {
  const marks = [`--pid-file=${params.pid}`, `--socket=${params.socket}`, `--datadir=${params.datadir}`];
  return p.argv.some((a) => marks.includes(a));
}

/**
 * Servers of this instance found by scanning /proc, for when the pid file cannot be trusted: stop must
 * not report success while one still runs.
 */
export function findInstanceServers(params: ServerPaths): ProcessInfo[] {
  return allProcesses().filter((p) => isServerProcess(p, params.binary) && servesInstance(p, params));
}

/** The mysqld_safe parent of a server, if any: it must die first or it restarts the server. */
export function safeParent(server: ProcessInfo): ProcessInfo | undefined {
  const parent = readProcess(server.ppid);
  return parent && parent.argv.some((a) => basename(a).includes('mysqld_safe')) ? parent : undefined;
}

/** Monitor credentials: explicit parameters first, then the option file's [tsha-test] or [client] group. */
export function testCredentials(params: MysqlValues, given: ReadonlySet<string>): SqlCredentials {
  let user = params.test_user;
  let password = params.test_passwd || undefined;
  if (params.client_option_file && existsSync(params.client_option_file)) {
    const fromFile = credentialsFrom(readOptionFile(params.client_option_file), ['tsha-test', 'client']);
    if (!given.has('test_user') && fromFile.user !== undefined) user = fromFile.user;
    if (!given.has('test_passwd') && fromFile.password !== undefined) password = fromFile.password;
  }
  return { user, password };
}
