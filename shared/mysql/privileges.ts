import type { ServerDialect } from './dialect.ts';

/**
 * Privileges the replication account needs on this server to manage a promotable instance (read_only,
 * STOP/START/RESET SLAVE, KILL, replication itself), from SHOW GRANTS lines. MariaDB 10.11 moved
 * SET GLOBAL read_only out of SUPER into READ_ONLY ADMIN: heartbeat/mysql's documented list fails there.
 */
export function missingPrivileges(grants: readonly string[], dialect: ServerDialect): string[] {
  const global = grants
    .filter((g) => / ON \*\.\* TO /i.test(g))
    .map((g) =>
      g
        .replace(/^GRANT /i, '')
        .replace(/ ON \*\.\* TO .*$/i, '')
        .toUpperCase(),
    );
  const held = new Set(global.flatMap((g) => g.split(',').map((p) => p.trim())));
  if (held.has('ALL PRIVILEGES')) return [];
  const [major, minor] = dialect.version;
  const needs: (readonly string[])[] = [['REPLICATION SLAVE', 'REPLICATION REPLICA'], ['PROCESS']];
  if (dialect.flavor === 'mariadb' && (major > 10 || (major === 10 && minor >= 11))) {
    needs.push(
      ['READ_ONLY ADMIN'],
      ['REPLICATION SLAVE ADMIN', 'SUPER'],
      ['CONNECTION ADMIN', 'SUPER'],
      ['SLAVE MONITOR', 'REPLICA MONITOR', 'SUPER'],
    );
  } else if (dialect.flavor === 'mariadb') {
    needs.push(['SUPER']);
  } else {
    needs.push(['SYSTEM_VARIABLES_ADMIN', 'SUPER'], ['REPLICATION_SLAVE_ADMIN', 'SUPER'], ['CONNECTION_ADMIN', 'SUPER']);
  }
  return needs.filter((any) => !any.some((p) => held.has(p))).map((any) => any.join(' or '));
}
