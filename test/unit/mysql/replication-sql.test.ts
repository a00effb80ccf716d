import { describe, expect, it } from 'vitest';
import { parseServerVersion } from '../../../shared/mysql/dialect.ts';
import { replicationStatements } from '../../../shared/mysql/replication-sql.ts';

const mariadb = replicationStatements(parseServerVersion('5.5.5-10.11.19-MariaDB-0+deb12u1'));
const mysql84 = replicationStatements(parseServerVersion('8.4.3'));
const mysql80old = replicationStatements(parseServerVersion('8.0.21'));
const source = { host: 'db1', port: 3306, user: 'repl', password: "it's", ssl: undefined };

describe('replication statements per server', () => {
  it('MariaDB replicates by GTID from slave_pos, set to all the instance holds, and waits with MASTER_GTID_WAIT', () => {
    expect(mariadb.changeSource(source)).toBe(
      "CHANGE MASTER TO MASTER_HOST='db1', MASTER_PORT=3306, MASTER_USER='repl', MASTER_PASSWORD='it\\'s', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
    );
    expect(mariadb.startFrom('0-2-459')).toEqual(["SET GLOBAL gtid_slave_pos = '0-2-459'"]);
    expect(mariadb.waitApplied('0-1-100', 9)).toBe("SELECT MASTER_GTID_WAIT('0-1-100', 9) AS r");
    expect(mariadb.state).toContain('@@global.gtid_binlog_pos AS binlog');
    expect(mariadb.state).toContain('@@global.gtid_slave_pos AS slave');
    expect(mariadb.receivedColumn).toBe('Gtid_IO_Pos');
    expect(mariadb.readOnly(true)).toEqual(['SET GLOBAL read_only = ON']);
    expect(mariadb.semiSyncPlugins).toEqual([]);
    expect(mariadb.semiSyncOn[0]).toBe('SET GLOBAL rpl_semi_sync_master_enabled = ON');
    expect(mariadb.semiSyncOn).toContain('SET GLOBAL rpl_semi_sync_master_wait_point = AFTER_SYNC');
    expect(mariadb.semiSyncOn).toContain('SET GLOBAL rpl_semi_sync_slave_kill_conn_timeout = 1');
  });

  it('MySQL 8.4 speaks only REPLICA/SOURCE: CHANGE REPLICATION SOURCE with auto-positioning and the public key', () => {
    expect(mysql84.changeSource(source)).toBe(
      "CHANGE REPLICATION SOURCE TO SOURCE_HOST='db1', SOURCE_PORT=3306, SOURCE_USER='repl', SOURCE_PASSWORD='it\\'s', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1, SOURCE_CONNECT_RETRY=1",
    );
    expect([mysql84.replicaStatus, mysql84.stopReplica, mysql84.startApplier, mysql84.stopReceiver, mysql84.resetReplica]).toEqual([
      'SHOW REPLICA STATUS',
      'STOP REPLICA',
      'START REPLICA SQL_THREAD',
      'STOP REPLICA IO_THREAD',
      'RESET REPLICA ALL',
    ]);
    expect(mysql84.waitApplied('uuid:1-5', 3)).toBe("SELECT WAIT_FOR_EXECUTED_GTID_SET('uuid:1-5', 3) AS r");
    expect(mysql84.state).toContain('@@global.gtid_executed');
    expect(mysql84.state).toContain('@@global.server_uuid');
    expect(mysql84.receivedColumn).toBe('Retrieved_Gtid_Set');
  });

  it('MySQL replicas are super_read_only; the primary turns it off before read_only', () => {
    expect(mysql84.readOnly(true)).toEqual(['SET GLOBAL super_read_only = ON']);
    expect(mysql84.readOnly(false)).toEqual(['SET GLOBAL super_read_only = OFF', 'SET GLOBAL read_only = OFF']);
  });

  it('MySQL semi-sync uses the source/replica plugins, installed when missing', () => {
    expect(mysql84.semiSyncPlugins).toEqual([
      { name: 'rpl_semi_sync_source', soname: 'semisync_source.so' },
      { name: 'rpl_semi_sync_replica', soname: 'semisync_replica.so' },
    ]);
    expect(mysql84.semiSyncOn).toEqual([
      'SET GLOBAL rpl_semi_sync_source_enabled = ON',
      'SET GLOBAL rpl_semi_sync_replica_enabled = ON',
      'SET GLOBAL rpl_semi_sync_source_wait_no_replica = OFF',
      'SET GLOBAL rpl_semi_sync_source_wait_point = AFTER_SYNC',
    ]);
    expect(mysql84.startFrom('uuid:1-5')).toEqual([]);
    expect(mysql84.setServerId(2147483650)).toBe('SET GLOBAL server_id = 2147483650');
  });

  it('MySQL before 8.0.22/8.0.23 keeps the MASTER/SLAVE spellings', () => {
    expect(mysql80old.changeSource(source)).toMatch(/^CHANGE MASTER TO MASTER_HOST='db1'.*MASTER_AUTO_POSITION=1, GET_MASTER_PUBLIC_KEY=1/);
    expect(mysql80old.replicaStatus).toBe('SHOW SLAVE STATUS');
    expect(mysql80old.semiSyncOn[0]).toBe('SET GLOBAL rpl_semi_sync_master_enabled = ON');
  });

  it('with TLS the options carry the files and no public key is fetched', () => {
    const s = mysql84.changeSource({ ...source, ssl: { ca: '/ca.pem', cert: '/c.pem', key: '/k.pem' } });
    expect(s).toContain("SOURCE_SSL=1, SOURCE_SSL_CA='/ca.pem', SOURCE_SSL_CERT='/c.pem', SOURCE_SSL_KEY='/k.pem'");
    expect(s).not.toContain('PUBLIC_KEY');
  });
});
