/** Which server and which statements it speaks, from its version string. */
export interface ServerDialect {
  readonly flavor: 'mariadb' | 'mysql';
  readonly version: readonly [number, number, number];
  readonly text: string;
  /** MySQL ≥ 8.0.22 / 8.4: SHOW REPLICA STATUS, CHANGE REPLICATION SOURCE; MariaDB ≥ 10.5: SHOW REPLICA STATUS. */
  readonly replicaKeyword: 'REPLICA' | 'SLAVE';
  /** super_read_only exists on MySQL ≥ 5.7.8 only. */
  readonly hasSuperReadOnly: boolean;
  /** MySQL ≥ 8.0.23: CHANGE REPLICATION SOURCE TO with SOURCE_* options (CHANGE MASTER is gone in 8.4). */
  readonly changeSource: 'CHANGE REPLICATION SOURCE TO' | 'CHANGE MASTER TO';
  /** MySQL ≥ 8.0.26 names semi-sync source/replica (plugins semisync_source/_replica); MariaDB and older MySQL master/slave. */
  readonly semiSync: 'source' | 'master';
}

function atLeast(v: readonly [number, number, number], major: number, minor: number, patch = 0): boolean {
  return v[0] !== major ? v[0] > major : v[1] !== minor ? v[1] > minor : v[2] >= patch;
}

export function parseServerVersion(text: string): ServerDialect {
  // MariaDB prefixes "5.5.5-" for old clients: "5.5.5-10.11.19-MariaDB-0+deb12u1".
  const mariadb = /mariadb/i.test(text);
  const core = mariadb ? text.replace(/^5\.5\.5-/, '') : text;
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(core);
  const version: [number, number, number] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  if (mariadb) {
    return {
      flavor: 'mariadb',
      version,
      text,
      replicaKeyword: atLeast(version, 10, 5) ? 'REPLICA' : 'SLAVE',
      hasSuperReadOnly: false,
      changeSource: 'CHANGE MASTER TO',
      semiSync: 'master',
    };
  }
  return {
    flavor: 'mysql',
    version,
    text,
    replicaKeyword: atLeast(version, 8, 0, 22) ? 'REPLICA' : 'SLAVE',
    hasSuperReadOnly: atLeast(version, 5, 7, 8),
    changeSource: atLeast(version, 8, 0, 23) ? 'CHANGE REPLICATION SOURCE TO' : 'CHANGE MASTER TO',
    semiSync: atLeast(version, 8, 0, 26) ? 'source' : 'master',
  };
}
