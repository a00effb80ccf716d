import { existsSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import type { ActionContext, ValidationScope } from '../ocf/agent.ts';
import { ConfigurationError, NotInstalledError, PermissionError } from '../ocf/errors.ts';
import { splitWords } from '../ocf/words.ts';
import { accountCan, assertExecutable, statOrUndefined } from '../process/access.ts';
import { findAccount, findGroup } from '../process/users.ts';
import type { LaunchValues } from './lifecycle.ts';
import type { MysqlParameters } from './parameters.ts';
import { validatePromotable } from './validate-promotable.ts';

const TABLE = /^[A-Za-z0-9_$]+(\.[A-Za-z0-9_$]+)?$/;

/** Value checks (level 0), then this node's environment (level 10): binary, config, account, datadir. */
export async function validate(ctx: ActionContext<MysqlParameters>, scope: ValidationScope): Promise<void> {
  const p = ctx.params;
  validateServerValues(p);
  if (!TABLE.test(p.test_table)) {
    throw new ConfigurationError(
      `parameter test_table expects database.table (letters, digits, _ and $), got ${JSON.stringify(p.test_table)}`,
    );
  }
  if (p.replication_port < 1 || p.replication_port > 65535) {
    throw new ConfigurationError(`parameter replication_port expects a TCP port (1-65535), got ${p.replication_port}`);
  }
  // ocf:percona:mysql's free text for CHANGE MASTER, mostly TLS: ignoring it would replicate in clear.
  if (p.replication_options.trim() !== '') {
    throw new ConfigurationError('parameter replication_options is not supported: use replication_master_ssl_ca/_cert/_key for TLS');
  }
  await validatePromotable(ctx, scope);
  if (scope === 'parameters') return;
  validateServerLocal(p);
  if (p.client_option_file && !existsSync(p.client_option_file)) {
    throw new NotInstalledError(`client_option_file ${p.client_option_file} does not exist`);
  }
}

/** The server's parameters, shared by the mysql and galera families: paths absolute, extra options parseable. */
export function validateServerValues(p: LaunchValues): void {
  for (const name of ['binary', 'datadir', 'pid', 'socket', 'log'] as const) {
    // A bare binary is a program on the PATH (the runner resolved it if it is there).
    if (name === 'binary' && !p.binary.includes('/')) continue;
    if (!isAbsolute(p[name])) throw new ConfigurationError(`parameter ${name} must be an absolute path, got ${JSON.stringify(p[name])}`);
  }
  try {
    splitWords(p.additional_parameters);
  } catch (error) {
    throw new ConfigurationError(`parameter additional_parameters: ${(error as Error).message}`, { cause: error });
  }
}

/** This node has what the server needs: binary, config, account, a writable datadir, a place for the log. */
export function validateServerLocal(p: LaunchValues): void {
  assertExecutable('binary', p.binary);
  if (!existsSync(p.config)) throw new NotInstalledError(`config file ${p.config} does not exist`);
  const account = findAccount(p.user);
  if (!account) throw new NotInstalledError(`user ${p.user} does not exist`);
  if (!findGroup(p.group)) throw new NotInstalledError(`group ${p.group} does not exist`);
  const datadir = statOrUndefined(p.datadir);
  if (!datadir) {
    if (!p.enable_creation) throw new NotInstalledError(`datadir ${p.datadir} does not exist (set enable_creation=true to create it)`);
    if (!existsSync(dirname(p.datadir))) throw new NotInstalledError(`parent of datadir ${p.datadir} does not exist`);
  } else if (!datadir.isDirectory()) {
    throw new NotInstalledError(`datadir ${p.datadir} is not a directory`);
  } else if (!accountCan(account, datadir, 'write') || !accountCan(account, datadir, 'execute')) {
    throw new PermissionError(`datadir ${p.datadir} is not writable by user ${p.user}`);
  }
  // start creates the log's folder (Debian's mariadb-server logs to the journal and has none).
  if (!statOrUndefined(dirname(p.log))?.isDirectory() && !statOrUndefined(dirname(dirname(p.log)))?.isDirectory()) {
    throw new NotInstalledError(`neither the folder of log ${p.log} nor its parent exists`);
  }
  const log = statOrUndefined(p.log);
  if (log && !log.isFile()) throw new NotInstalledError(`log ${p.log} is not a regular file`);
}
