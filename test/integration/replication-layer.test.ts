import { afterAll, describe, expect, it } from 'vitest';
import { connect, type SqlSession } from '../../shared/mysql/client.ts';
import {
  applyReceived,
  becomeReadOnly,
  enableSemiSync,
  follow,
  forgetSource,
  readInstanceState,
  replicationOf,
  resumeApplying,
  setReadOnly,
  stopApplying,
  type Replication,
} from '../../shared/mysql/replication.ts';
import { Deadline } from '../../shared/ocf/deadline.ts';
import { mayFollow } from '../../shared/replication/decide.ts';
import { comparePositions, formatPosition } from '../../shared/replication/position.ts';
import { waitFor } from '../lab/lab.ts';
import { containerPairs, type ServerPair } from '../support/containers.ts';
import { replicationSettings, startLocalServer, type RunningServer } from '../support/mariadb.ts';

// The replication layer (shared/mysql/replication.ts: the statements promote, demote and the
// notifications run) on a real source and replica: Debian's MariaDB always, and where a Docker engine
// answers, MySQL 8.4 containers — the MySQL dialect (GTID sets, REPLICA/SOURCE statements,
// super_read_only, semi-sync plugins) runs here and nowhere else.
const REPL = { user: 'repl', password: 'repl-secret' };

async function localPair(): Promise<ServerPair> {
  const [source, replica] = await Promise.all([
    startLocalServer({ extra: replicationSettings(1) }),
    startLocalServer({ extra: replicationSettings(2) }),
  ]);
  return {
    label: 'MariaDB (Debian package)',
    source,
    replica,
    replicationHost: '127.0.0.1',
    replicationPort: source.port,
    async stop() {
      await Promise.all([source.stop(), replica.stop()]);
    },
  };
}

const containers = await containerPairs();
if (containers.skipped) console.log(`[replication-layer] MySQL 8.4 container run skipped: ${containers.skipped}`);
const pairs: ServerPair[] = [await localPair(), ...containers.pairs];
afterAll(async () => {
  for (const p of pairs) await p.stop();
});

function open(server: RunningServer, deadline = new Deadline(30_000)): Promise<SqlSession> {
  return connect(
    server.socket ? { socketPath: server.socket } : { host: server.host, port: server.port },
    { user: 'root', password: server.rootPassword },
    deadline,
  );
}

describe.each(pairs.map((p) => [p.label, p] as const))('the replication layer on %s', (_label, pair) => {
  let source: Replication;
  let replica: Replication;
  const sessions: SqlSession[] = [];
  const attach = () => follow(replica, { host: pair.replicationHost, port: pair.replicationPort, ...REPL, ssl: undefined });
  const caughtUp = () =>
    waitFor('the replica to apply everything', 20_000, async () => {
      const [a, b] = [await readInstanceState(source), await readInstanceState(replica)];
      return comparePositions(b.position, a.position) === 'equal' ? b : undefined;
    });

  afterAll(() => {
    for (const s of sessions) s.close();
  });

  it('a replica follows its source by GTID and applies what the source writes; it is read-only', async () => {
    const s = await open(pair.source);
    const r = await open(pair.replica);
    sessions.push(s, r);
    source = await replicationOf(s);
    replica = await replicationOf(r);
    await s.query(`CREATE USER IF NOT EXISTS '${REPL.user}'@'%' IDENTIFIED BY '${REPL.password}'`);
    await s.query(`GRANT ALL PRIVILEGES ON *.* TO '${REPL.user}'@'%' WITH GRANT OPTION`);
    await s.query('CREATE DATABASE IF NOT EXISTS demo');
    await s.query('CREATE TABLE IF NOT EXISTS demo.rows (id INT PRIMARY KEY) ENGINE=InnoDB');
    await setReadOnly(replica, true);
    await attach();
    await s.query('INSERT INTO demo.rows VALUES (1), (2), (3)');
    const state = await caughtUp();
    expect(state.readOnly).toBe(true);
    expect(state.replica).toMatchObject({ configured: true, io: 'Yes', sqlRunning: true, lastSqlErrno: 0 });
    expect(await r.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM demo.rows')).toEqual([{ n: 3 }]);
    if (replica.dialect.hasSuperReadOnly) expect(await r.query('SELECT @@global.super_read_only AS s')).toEqual([{ s: 1 }]);
  });

  it('what a stopped applier received is applied before promotion: applyReceived waits for the received position', async () => {
    await stopApplying(replica);
    await source.session.query('INSERT INTO demo.rows VALUES (4), (5)');
    const behind = await waitFor('the replica to receive without applying', 20_000, async () => {
      const st = await readInstanceState(replica);
      return comparePositions(st.received, st.position) === 'ahead' ? st : undefined;
    });
    await resumeApplying(replica);
    await applyReceived(replica, formatPosition(behind.received), new Deadline(20_000));
    const after = await readInstanceState(replica);
    expect(comparePositions(after.position, behind.received)).not.toBe('behind');
    expect(await replica.session.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM demo.rows')).toEqual([{ n: 5 }]);
  });

  it('a write on the replica beyond the fork point is an errant transaction that mayFollow refuses, naming it', async () => {
    const fork = await caughtUp();
    const sourceState = await readInstanceState(source);
    await setReadOnly(replica, false);
    await replica.session.query('INSERT INTO demo.rows VALUES (1000)');
    await setReadOnly(replica, true);
    const local = await readInstanceState(replica);
    const verdict = mayFollow(local.position, { position: fork.position, source: sourceState.source });
    expect(verdict.follow).toBe(false);
    if (!verdict.follow) expect(verdict.errant.join(',')).toContain(String(local.source).toLowerCase());
    // Transactions the source wrote after the fork are not errant on the replica.
    expect(mayFollow(sourceState.position, { position: fork.position, source: sourceState.source })).toEqual({ follow: true });
  });

  it('becomeReadOnly ends a client session that holds a write transaction open', async () => {
    const holder = await open(pair.source);
    await holder.query('BEGIN');
    await holder.query('INSERT INTO demo.rows VALUES (2000)');
    const ended = await becomeReadOnly(source, await open(pair.source), 500);
    expect(ended).toBeGreaterThan(0);
    expect((await readInstanceState(source)).readOnly).toBe(true);
    holder.close();
    await setReadOnly(source, false);
  });

  it('semi-synchronous replication turns on both ways (MySQL installs its plugins)', async () => {
    await enableSemiSync(source);
    const name = source.sql.semiSyncOn[0]!.replace(/^SET GLOBAL (\w+) = ON$/, '$1');
    expect(await source.session.query(`SELECT @@global.${name} AS v`)).toEqual([{ v: 1 }]);
  });

  it('forgetSource refuses while the replica threads run, and forgets the source once they are stopped', async () => {
    expect(await forgetSource(replica)).toBe(false);
    await replica.session.query(replica.sql.stopReplica);
    expect(await forgetSource(replica)).toBe(true);
    expect((await readInstanceState(replica)).replica.configured).toBe(false);
  });
});
