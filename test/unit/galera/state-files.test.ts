import { describe, expect, it } from 'vitest';
import { parseRecoveryLog } from '../../../shared/galera/recover.ts';
import { clusterHosts, expectedNodes, parseHostMap } from '../../../shared/galera/members.ts';
import { formatReport, parseReport, type Report } from '../../../shared/galera/report.ts';
import { parseGrastate, parseGvwstate, withSafeToBootstrap } from '../../../shared/galera/state-files.ts';

const GRASTATE = `# GALERA saved state
version: 2.1
uuid:    6b2c5a10-b1a7-11ef-9c51-6f2c1a0e8a11
seqno:   1234
safe_to_bootstrap: 0
`;

const GVWSTATE = `my_uuid: 0a1b2c3d-0000-11ef-8000-000000000001
#vwbeg
view_id: 3 0a1b2c3d-0000-11ef-8000-000000000001 7
bootstrap: 0
member: 0a1b2c3d-0000-11ef-8000-000000000001 0
member: 0a1b2c3d-0000-11ef-8000-000000000002 0
#vwend
`;

describe("Galera's state files", () => {
  it('grastate.dat gives history, seqno and safe_to_bootstrap', () => {
    expect(parseGrastate(GRASTATE)).toEqual({ uuid: '6b2c5a10-b1a7-11ef-9c51-6f2c1a0e8a11', seqno: 1234, safeToBootstrap: false });
  });
  it('safe_to_bootstrap is set in place, and added where missing', () => {
    expect(withSafeToBootstrap(GRASTATE)).toContain('safe_to_bootstrap: 1');
    expect(withSafeToBootstrap(GRASTATE)).not.toContain('safe_to_bootstrap: 0');
    expect(parseGrastate(withSafeToBootstrap('uuid: x\nseqno: -1\n')).safeToBootstrap).toBe(true);
  });
  it('gvwstate.dat gives the last primary component: own uuid, view sequence and members', () => {
    expect(parseGvwstate(GVWSTATE)).toEqual({
      self: '0a1b2c3d-0000-11ef-8000-000000000001',
      viewSeq: 7,
      members: ['0a1b2c3d-0000-11ef-8000-000000000001', '0a1b2c3d-0000-11ef-8000-000000000002'],
    });
    expect(parseGvwstate('garbage')).toBeUndefined();
  });
  it('--wsrep-recover output gives the recovered position and prepared transactions', () => {
    const log =
      '2026-12-02 10:00:00 0 [Note] InnoDB: Starting crash recovery\n' +
      '2026-12-02 10:00:00 0 [Note] Found 2 prepared transaction(s) in InnoDB\n' +
      '2026-12-02 10:00:01 0 [Note] WSREP: Recovered position: 6b2c5a10-b1a7-11ef-9c51-6f2c1a0e8a11:1240\n';
    expect(parseRecoveryLog(log)).toEqual({ uuid: '6b2c5a10-b1a7-11ef-9c51-6f2c1a0e8a11', seqno: 1240, prepared: 2 });
    expect(parseRecoveryLog('nothing')).toBeUndefined();
  });
});

describe('reports and members', () => {
  it('a report survives its attribute text', () => {
    const r: Report = {
      uuid: '6b2c5a10-b1a7-11ef-9c51-6f2c1a0e8a11',
      seqno: 12,
      safeToBootstrap: true,
      at: 1700000000,
      component: { self: 'a1b2c3d4-0000-0000-0000-000000000001', viewSeq: 4, members: ['a1b2c3d4-0000-0000-0000-000000000001'] },
    };
    expect(parseReport(formatReport(r))).toEqual(r);
    expect(parseReport(formatReport({ ...r, component: undefined }))).toEqual({ ...r, component: undefined });
    expect(parseReport('nonsense')).toBeUndefined();
  });
  it('wsrep_cluster_address hosts lose ports and options', () => {
    expect(clusterHosts('gcomm://10.0.0.1,10.0.0.2:4567,db3?pc.wait_prim=no')).toEqual(['10.0.0.1', '10.0.0.2', 'db3']);
    expect(clusterHosts('mysql://x')).toEqual([]);
  });
  it('cluster_host_map turns addresses into Pacemaker node names, and names a malformed pair', () => {
    const { map, bad } = parseHostMap('n1:192.168.1.11; n2:192.168.1.12;broken');
    expect(expectedNodes('gcomm://192.168.1.11,192.168.1.12,n3', map)).toEqual(['n1', 'n2', 'n3']);
    expect(bad).toEqual(['broken']);
  });
});
