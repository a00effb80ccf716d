import { describe, expect, it } from 'vitest';
import { replicaStatusOf } from '../../../shared/mysql/replication.ts';

/** SHOW SLAVE STATUS on a MariaDB replica, trimmed to the columns that matter, as the client returns them. */
const MARIADB_ROW = {
  Slave_IO_State: 'Waiting for master to send event',
  Master_Host: '10.0.0.1',
  Master_User: 'repl',
  Master_Port: 3306,
  Slave_IO_Running: 'Yes',
  Slave_SQL_Running: 'Yes',
  Last_Errno: 0,
  Last_Error: '',
  Seconds_Behind_Master: 0,
  Last_IO_Errno: 0,
  Last_IO_Error: '',
  Last_SQL_Errno: 0,
  Last_SQL_Error: '',
  Using_Gtid: 'Current_Pos',
  Gtid_IO_Pos: '0-1-100',
};

/** SHOW REPLICA STATUS on MySQL 8.4: the source/replica column names. */
const MYSQL84_ROW = {
  Replica_IO_State: 'Waiting for source to send event',
  Source_Host: '10.0.0.2',
  Source_User: 'repl',
  Source_Port: 3306,
  Replica_IO_Running: 'Yes',
  Replica_SQL_Running: 'Yes',
  Last_Errno: 0,
  Last_Error: '',
  Seconds_Behind_Source: 3,
  Last_IO_Errno: 0,
  Last_IO_Error: '',
  Last_SQL_Errno: 0,
  Last_SQL_Error: '',
};

describe('replicaStatusOf', () => {
  it('no row means no replication configured', () => {
    expect(replicaStatusOf(undefined)).toMatchObject({ configured: false, sqlRunning: false, secondsBehind: null, masterHost: '' });
  });

  it('a row with an empty Master_Host means no replication configured', () => {
    expect(replicaStatusOf({ ...MARIADB_ROW, Master_Host: '' }).configured).toBe(false);
  });

  it('a row without any host column means no replication configured', () => {
    expect(replicaStatusOf({}).configured).toBe(false);
  });

  it('reads a healthy MariaDB replica', () => {
    expect(replicaStatusOf(MARIADB_ROW)).toEqual({
      configured: true,
      io: 'Yes',
      sqlRunning: true,
      lastIoErrno: 0,
      lastIoError: '',
      lastSqlErrno: 0,
      lastSqlError: '',
      secondsBehind: 0,
      masterHost: '10.0.0.1',
    });
  });

  it.each([
    ['Yes', 'Yes'],
    ['Connecting', 'Connecting'],
    ['No', 'No'],
    ['Preparing', 'No'],
    ['', 'No'],
  ] as const)('Slave_IO_Running %j reads as %j', (value, io) => {
    expect(replicaStatusOf({ ...MARIADB_ROW, Slave_IO_Running: value }).io).toBe(io);
  });

  it.each([
    ['Yes', true],
    ['No', false],
    ['', false],
  ] as const)('Slave_SQL_Running %j reads as running %j', (value, running) => {
    expect(replicaStatusOf({ ...MARIADB_ROW, Slave_SQL_Running: value }).sqlRunning).toBe(running);
  });

  it('reads error numbers given as numbers, with their messages', () => {
    const status = replicaStatusOf({
      ...MARIADB_ROW,
      Slave_IO_Running: 'Connecting',
      Slave_SQL_Running: 'No',
      Last_IO_Errno: 2003,
      Last_IO_Error: "Can't connect to MySQL server on '10.0.0.1'",
      Last_SQL_Errno: 1062,
      Last_SQL_Error: "Duplicate entry '1' for key 'PRIMARY'",
    });
    expect(status).toMatchObject({
      io: 'Connecting',
      sqlRunning: false,
      lastIoErrno: 2003,
      lastIoError: "Can't connect to MySQL server on '10.0.0.1'",
      lastSqlErrno: 1062,
      lastSqlError: "Duplicate entry '1' for key 'PRIMARY'",
    });
  });

  it('reads error numbers given as strings', () => {
    const status = replicaStatusOf({ ...MARIADB_ROW, Last_IO_Errno: '2013', Last_SQL_Errno: '1146' });
    expect(status.lastIoErrno).toBe(2013);
    expect(status.lastSqlErrno).toBe(1146);
  });

  it('reads missing or empty error numbers as 0', () => {
    const { Last_IO_Errno: _io, Last_SQL_Errno: _sql, ...row } = MARIADB_ROW;
    expect(replicaStatusOf(row)).toMatchObject({ lastIoErrno: 0, lastSqlErrno: 0, lastIoError: '', lastSqlError: '' });
    expect(replicaStatusOf({ ...MARIADB_ROW, Last_IO_Errno: '', Last_SQL_Errno: '0' })).toMatchObject({ lastIoErrno: 0, lastSqlErrno: 0 });
  });

  it('a NULL Seconds_Behind_Master stays unknown, never 0', () => {
    expect(replicaStatusOf({ ...MARIADB_ROW, Slave_IO_Running: 'Connecting', Seconds_Behind_Master: null }).secondsBehind).toBeNull();
  });

  it('a missing or empty Seconds_Behind_Master is unknown too', () => {
    const { Seconds_Behind_Master: _lag, ...row } = MARIADB_ROW;
    expect(replicaStatusOf(row).secondsBehind).toBeNull();
    expect(replicaStatusOf({ ...MARIADB_ROW, Seconds_Behind_Master: '' }).secondsBehind).toBeNull();
  });

  it.each([
    ['0', 0],
    [0, 0],
    ['42', 42],
    [42, 42],
  ] as const)('Seconds_Behind_Master %j reads as %i', (value, seconds) => {
    expect(replicaStatusOf({ ...MARIADB_ROW, Seconds_Behind_Master: value }).secondsBehind).toBe(seconds);
  });

  it('reads the MySQL 8.4 source/replica column names', () => {
    expect(replicaStatusOf(MYSQL84_ROW)).toEqual({
      configured: true,
      io: 'Yes',
      sqlRunning: true,
      lastIoErrno: 0,
      lastIoError: '',
      lastSqlErrno: 0,
      lastSqlError: '',
      secondsBehind: 3,
      masterHost: '10.0.0.2',
    });
  });

  it('reads a stopped MySQL 8.4 replica with a NULL lag', () => {
    expect(
      replicaStatusOf({ ...MYSQL84_ROW, Replica_IO_Running: 'No', Replica_SQL_Running: 'No', Seconds_Behind_Source: null }),
    ).toMatchObject({ configured: true, io: 'No', sqlRunning: false, secondsBehind: null });
  });

  it('an empty MySQL 8.4 Source_Host means no replication configured', () => {
    expect(replicaStatusOf({ ...MYSQL84_ROW, Source_Host: '' }).configured).toBe(false);
  });
});
