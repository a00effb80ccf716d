import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideBootstrap, assessMember, type ClusterView, type WsrepStatus } from '../../shared/galera/decide.ts';
import { bootstrapDecisionLine, memberDecisionLine } from '../../shared/galera/decision-lines.ts';
import { replicaStatusOf } from '../../shared/mysql/replication.ts';
import { Logger, logTargets } from '../../shared/ocf/log.ts';
import { decideStart, type StartView } from '../../shared/rabbitmq/decide.ts';
import { startDecisionLine } from '../../shared/rabbitmq/decision-line.ts';
import { assess, catchUpPlan, mayFollow, mayPromote, roleVerdict, type InstanceState } from '../../shared/replication/decide.ts';
import { followDecisionLine, promoteDecisionLine, roleDecisionLine } from '../../shared/replication/decision-lines.ts';
import { parsePosition } from '../../shared/replication/position.ts';
import { useTempDirs } from './helpers.ts';

// README: "With HA_debug=1 the promotable and clustered agents log every decision with what it saw
// and what it decided, one line each". Each decision point below is driven with the real decision
// function (decide.ts), and its line goes through the agents' logger exactly as the action logs it
// (ctx.log.debug(line)), with the variables pacemaker-execd exports: one DEBUG line in HA_DEBUGLOG that
// names the inputs and the verdict when HA_debug=1, nothing anywhere when HA_debug is unset. The
// actions themselves need a server or a cluster to get that far (test/cluster/ covers them there).

const tempDir = useTempDirs();
const gtid = (text: string) => parsePosition(text, 'mariadb');

/** What one decision line, logged as the actions log it, leaves in HA_LOGFILE and HA_DEBUGLOG. */
function logged(line: string, debug: boolean): { debug: string[]; log: string[] } {
  const dir = tempDir();
  const files = { log: join(dir, 'ha-log'), debug: join(dir, 'ha-debug') };
  const vars = { HA_LOGFILE: files.log, HA_DEBUGLOG: files.debug, HA_LOGFACILITY: 'none', ...(debug ? { HA_debug: '1' } : {}) };
  new Logger('mysql(db)[1]', logTargets(vars, false)).debug(line);
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);
  return { debug: read(files.debug), log: read(files.log) };
}

// A replica as SHOW SLAVE STATUS reports it: both threads up, 4000 s behind n2.
const REPLICA: InstanceState = {
  readOnly: true,
  position: gtid('0-1-40'),
  replica: replicaStatusOf({ Master_Host: 'n2', Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Seconds_Behind_Master: 4000 }),
};

const GALERA: ClusterView = {
  self: 'n1',
  expected: ['n1', 'n2', 'n3'],
  members: ['n1', 'n2', 'n3'],
  quorate: true,
  primary: [],
  reports: new Map([
    ['n1', { uuid: '4a1c2d3e-0000-1111-2222-333344445555', seqno: 120, safeToBootstrap: false, component: undefined, at: 9995 }],
    ['n2', { uuid: '4a1c2d3e-0000-1111-2222-333344445555', seqno: 118, safeToBootstrap: false, component: undefined, at: 9995 }],
    ['n3', { uuid: '4a1c2d3e-0000-1111-2222-333344445555', seqno: 97, safeToBootstrap: false, component: undefined, at: 9995 }],
  ]),
  now: 10_000,
  bootstrapWait: 30,
  twoNodeMode: false,
  cleanlyOffline: [],
};

const WSREP: WsrepStatus = {
  clusterStatus: 'non-Primary',
  ready: false,
  connected: true,
  localState: 0,
  stateComment: 'Initialized',
  clusterSize: 1,
};

const RABBIT: StartView = {
  self: 'n2',
  members: ['n1', 'n2', 'n3'],
  online: ['n1', 'n2', 'n3'],
  quorate: true,
  running: [],
  runningClusterMembers: undefined,
  data: { runningAtShutdown: ['n1', 'n2'], clusterMembers: ['n1', 'n2', 'n3'] },
  formedBy: 'n1',
};

/** Each decision point: its line, built from the real decision, and what the line must name. */
const DECISIONS: [string, () => { line: string; names: string[] }][] = [
  [
    'mysql clone, monitor: the role, score and readability',
    () => {
      const health = assess(REPLICA, 3600);
      const verdict = roleVerdict(health, { evictOutdated: true, replicating: true, lag: 4000, maxLag: 3600 });
      const line = roleDecisionLine(REPLICA, { maxLag: 3600, evict: true }, health, verdict);
      return {
        line,
        names: ['role decision', 'read_only=true', 'from n2', 'lag 4000 s', 'max_slave_lag 3600', `-> ${JSON.stringify(verdict)}`],
      };
    },
  ],
  [
    'mysql clone, promote: own and published positions, the partition, the verdict and the catch-up',
    () => {
      const published = new Map([
        ['n1', gtid('0-1-40')],
        ['n3', gtid('0-1-42')],
      ]);
      const verdict = mayPromote({ node: 'n1', position: gtid('0-1-40') }, ['n1', 'n3'], published);
      const plan = catchUpPlan(verdict, REPLICA.replica);
      const line = promoteDecisionLine('n1', gtid('0-1-40'), ['n1', 'n3'], published, verdict, plan);
      return {
        line,
        names: [
          'promote decision',
          'n1 at 0-1-40',
          'partition [n1, n3]',
          'n3=0-1-42',
          '-> {"promote":false',
          'n3 is ahead',
          'catch up from source n3',
        ],
      };
    },
  ],
  [
    'mysql clone, post-promote: a replica following the new primary, errant transactions named',
    () => {
      const fork = { position: gtid('0-2-50'), source: 2 };
      const local = gtid('0-1-52');
      const verdict = mayFollow(local, fork);
      expect(verdict.follow).toBe(false);
      const line = followDecisionLine(local, fork, 'n2', verdict);
      return { line, names: ['follow decision', 'local 0-1-52', 'on n2', '"follow":false', '"errant"'] };
    },
  ],
  [
    'galera, Unpromoted monitor: who bootstraps, with every member report',
    () => {
      const verdict = decideBootstrap(GALERA);
      const line = bootstrapDecisionLine(GALERA, verdict);
      return { line, names: ['bootstrap decision', '"seqno":120', '"seqno":118', '"seqno":97', `-> ${JSON.stringify(verdict)}`] };
    },
  ],
  [
    'galera, Promoted monitor: the wsrep state and the verdict',
    () => {
      const verdict = assessMember(WSREP);
      expect(verdict.kind).toBe('failed');
      const line = memberDecisionLine(WSREP, verdict);
      return { line, names: ['member decision', '"clusterStatus":"non-Primary"', '"kind":"failed"'] };
    },
  ],
  [
    'rabbitmq clone, start: join, form, boot first, boot with peers or wait',
    () => {
      const verdict = decideStart(RABBIT);
      const line = startDecisionLine(RABBIT, verdict);
      return {
        line,
        names: ['start decision', '"self":"n2"', '"runningAtShutdown":["n1","n2"]', '"formedBy":"n1"', `"kind":"${verdict.kind}"`],
      };
    },
  ],
];

describe.each(DECISIONS)('HA_debug: %s', (_, decide) => {
  it('HA_debug=1: one DEBUG line in HA_DEBUGLOG naming the inputs and the verdict', () => {
    const { line, names } = decide();
    expect(line).not.toContain('\n');
    const { debug, log } = logged(line, true);
    expect(debug).toHaveLength(1);
    expect(debug[0]).toMatch(/ DEBUG: \w+ decision: /);
    for (const name of names) expect(debug[0]).toContain(name);
    expect(debug[0]).toMatch(/ -> .+$/);
    expect(log).toEqual([]);
  });

  it('HA_debug unset: nothing written', () => {
    const { debug, log } = logged(decide().line, false);
    expect(debug).toEqual([]);
    expect(log).toEqual([]);
  });
});
