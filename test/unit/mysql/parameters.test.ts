import { describe, expect, it } from 'vitest';
import mysql from '../../../agents/mysql.ts';
import { mysqlParameters } from '../../../shared/mysql/parameters.ts';
import { readParameters } from '../../../shared/ocf/read-parameters.ts';

// The parameters of resource-agents' heartbeat/mysql that tsha keeps, same names, same meanings.
const HEARTBEAT_MYSQL = [
  'binary',
  'client_binary',
  'config',
  'datadir',
  'user',
  'group',
  'log',
  'pid',
  'socket',
  'test_table',
  'test_user',
  'test_passwd',
  'enable_creation',
  'additional_parameters',
  'replication_user',
  'replication_passwd',
  'replication_port',
  'replication_require_ssl',
  'replication_master_ssl_ca',
  'replication_master_ssl_cert',
  'replication_master_ssl_key',
  'max_slave_lag',
  'evict_outdated_slaves',
  'reader_attribute',
];

describe('mysql parameters', () => {
  it.each(HEARTBEAT_MYSQL)("declares heartbeat/mysql's %s", (name) => {
    expect(mysqlParameters).toHaveProperty(name);
  });

  it("a resource with no parameters gets Debian's paths and no problems", () => {
    const reading = readParameters(mysql, new Map());
    expect(reading.problems.size).toBe(0);
    expect(reading.values).toMatchObject({
      binary: '/usr/sbin/mysqld',
      config: '/etc/mysql/my.cnf',
      datadir: '/var/lib/mysql',
      user: 'mysql',
      group: 'mysql',
      log: '/var/log/mysql/error.log',
      pid: '/run/mysqld/mysqld.pid',
      socket: '/run/mysqld/mysqld.sock',
      test_table: 'mysql.user',
      test_user: 'root',
      enable_creation: false,
      replication_port: 3306,
      max_slave_lag: 3600,
      evict_outdated_slaves: false,
    });
  });

  it.each(['test_passwd', 'replication_passwd'] as const)('%s is secret, with an empty default', (name) => {
    expect(mysqlParameters[name].secret).toBe(true);
    expect(mysqlParameters[name].default).toBe('');
  });

  it('only the passwords are secret', () => {
    const secret = Object.entries(mysqlParameters)
      .filter(([, p]) => 'secret' in p && p.secret)
      .map(([n]) => n);
    expect(secret).toEqual(['test_passwd', 'replication_passwd']);
  });

  it.each(['binary', 'config', 'datadir', 'user', 'group', 'log', 'pid', 'socket', 'additional_parameters'] as const)(
    'stop needs %s, so it is not monitor-only',
    (name) => {
      expect('monitorOnly' in mysqlParameters[name] && mysqlParameters[name].monitorOnly).toBeFalsy();
    },
  );

  it.each(['test_table', 'test_user', 'test_passwd', 'client_option_file', 'max_slave_lag', 'replication_port'] as const)(
    '%s is monitor-only: a bad value does not block stop',
    (name) => {
      expect('monitorOnly' in mysqlParameters[name] && mysqlParameters[name].monitorOnly).toBe(true);
    },
  );

  it('max_slave_lag takes units', () => {
    expect(readParameters(mysql, new Map([['max_slave_lag', '5min']])).values.max_slave_lag).toBe(300);
  });
});
