import { describe, expect, it } from 'vitest';
import { parseServerVersion, type ServerDialect } from '../../../shared/mysql/dialect.ts';

describe('parseServerVersion', () => {
  it.each<[string, Omit<ServerDialect, 'text'>]>([
    [
      '5.5.5-10.11.19-MariaDB-0+deb12u1',
      {
        flavor: 'mariadb',
        version: [10, 11, 19],
        replicaKeyword: 'REPLICA',
        hasSuperReadOnly: false,
        changeSource: 'CHANGE MASTER TO',
        semiSync: 'master',
      },
    ],
    [
      '10.5.0-MariaDB',
      {
        flavor: 'mariadb',
        version: [10, 5, 0],
        replicaKeyword: 'REPLICA',
        hasSuperReadOnly: false,
        changeSource: 'CHANGE MASTER TO',
        semiSync: 'master',
      },
    ],
    [
      '10.4.3-MariaDB',
      {
        flavor: 'mariadb',
        version: [10, 4, 3],
        replicaKeyword: 'SLAVE',
        hasSuperReadOnly: false,
        changeSource: 'CHANGE MASTER TO',
        semiSync: 'master',
      },
    ],
    [
      '11.4.2-MariaDB-log',
      {
        flavor: 'mariadb',
        version: [11, 4, 2],
        replicaKeyword: 'REPLICA',
        hasSuperReadOnly: false,
        changeSource: 'CHANGE MASTER TO',
        semiSync: 'master',
      },
    ],
    [
      '8.4.2',
      {
        flavor: 'mysql',
        version: [8, 4, 2],
        replicaKeyword: 'REPLICA',
        hasSuperReadOnly: true,
        changeSource: 'CHANGE REPLICATION SOURCE TO',
        semiSync: 'source',
      },
    ],
    [
      '8.2.0',
      {
        flavor: 'mysql',
        version: [8, 2, 0],
        replicaKeyword: 'REPLICA',
        hasSuperReadOnly: true,
        changeSource: 'CHANGE REPLICATION SOURCE TO',
        semiSync: 'source',
      },
    ],
    [
      '8.0.22',
      {
        flavor: 'mysql',
        version: [8, 0, 22],
        replicaKeyword: 'REPLICA',
        hasSuperReadOnly: true,
        changeSource: 'CHANGE MASTER TO',
        semiSync: 'master',
      },
    ],
    [
      '8.0.21',
      {
        flavor: 'mysql',
        version: [8, 0, 21],
        replicaKeyword: 'SLAVE',
        hasSuperReadOnly: true,
        changeSource: 'CHANGE MASTER TO',
        semiSync: 'master',
      },
    ],
    [
      '5.7.44',
      {
        flavor: 'mysql',
        version: [5, 7, 44],
        replicaKeyword: 'SLAVE',
        hasSuperReadOnly: true,
        changeSource: 'CHANGE MASTER TO',
        semiSync: 'master',
      },
    ],
    [
      '5.7.7',
      {
        flavor: 'mysql',
        version: [5, 7, 7],
        replicaKeyword: 'SLAVE',
        hasSuperReadOnly: false,
        changeSource: 'CHANGE MASTER TO',
        semiSync: 'master',
      },
    ],
    [
      '8.0.36-28-Percona XtraDB Cluster',
      {
        flavor: 'mysql',
        version: [8, 0, 36],
        replicaKeyword: 'REPLICA',
        hasSuperReadOnly: true,
        changeSource: 'CHANGE REPLICATION SOURCE TO',
        semiSync: 'source',
      },
    ],
  ])('%s', (text, dialect) => {
    expect(parseServerVersion(text)).toEqual({ ...dialect, text });
  });

  it('keeps the text as the server gave it', () => {
    expect(parseServerVersion('5.5.5-10.11.19-MariaDB-0+deb12u1').text).toBe('5.5.5-10.11.19-MariaDB-0+deb12u1');
  });

  it('the 5.5.5- prefix is only stripped for MariaDB', () => {
    expect(parseServerVersion('5.5.5-ubuntu').version).toEqual([5, 5, 5]);
  });

  it('an unreadable version is 0.0.0 and takes the oldest statements', () => {
    expect(parseServerVersion('unknown')).toEqual({
      flavor: 'mysql',
      version: [0, 0, 0],
      text: 'unknown',
      replicaKeyword: 'SLAVE',

      hasSuperReadOnly: false,
      changeSource: 'CHANGE MASTER TO',
      semiSync: 'master',
    });
  });
});
