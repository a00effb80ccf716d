import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type SqlSession } from '../../shared/mysql/client.ts';
import {
  follow,
  forgetSource,
  readInstanceState,
  replicationOf,
  setReadOnly,
  writeAsItself,
  type Replication,
} from '../../shared/mysql/replication.ts';
import { Deadline } from '../../shared/ocf/deadline.ts';
import { comparePositions, formatPosition } from '../../shared/replication/position.ts';
import { waitFor } from '../lab/lab.ts';
import { replicationSettings, startLocalServer, type RunningServer } from '../support/mariadb.ts';

// The root cause of a silent divergence after a semi-sync crash: MariaDB's crash recovery
// (init-rpl-role=SLAVE) truncates a transaction the replica had already applied; the new primary holds it
// under the old primary's server_id, and a replica drops events carrying its own server_id. Here the
// truncation is reproduced exactly on a real pair: the new primary holds a transaction written under the
// returning instance's server_id that the returning instance lacks.
const REPL = { user: 'repl', password: 'repl-secret' };

describe('an instance returning to replication gets back its own writes that it lost and the primary has', () => {
  let servers: RunningServer[];
  const sessions: SqlSession[] = [];
  let oldPrimary: Replication;
  let newPrimary: Replication;
  const rows = async (r: Replication) =>
    (await r.session.query<{ ids: string | null }[]>('SELECT GROUP_CONCAT(id ORDER BY id) AS ids FROM demo.rows'))[0]?.ids ?? '';
  const sourceOf = (s: RunningServer) => ({ host: '127.0.0.1', port: s.port, ...REPL, ssl: undefined });

  beforeAll(async () => {
    servers = await Promise.all([startLocalServer({ extra: replicationSettings(1) }), startLocalServer({ extra: replicationSettings(2) })]);
    for (const s of servers)
      sessions.push(await connect({ socketPath: s.socket! }, { user: 'root', password: undefined }, new Deadline(30_000)));
    oldPrimary = await replicationOf(sessions[0]!);
    newPrimary = await replicationOf(sessions[1]!);
    // The account replicates to the other server with everything else.
    await oldPrimary.session.query(`CREATE USER '${REPL.user}'@'%' IDENTIFIED BY '${REPL.password}'`);
    await oldPrimary.session.query(`GRANT ALL PRIVILEGES ON *.* TO '${REPL.user}'@'%'`);
    await oldPrimary.session.query('CREATE DATABASE demo');
    await oldPrimary.session.query('CREATE TABLE demo.rows (id INT PRIMARY KEY) ENGINE=InnoDB');
    await oldPrimary.session.query('INSERT INTO demo.rows VALUES (1), (2), (3)');
    await setReadOnly(newPrimary, true);
    await follow(newPrimary, sourceOf(servers[0]!));
    await waitFor('the replica to apply rows 1-3', 20_000, async () =>
      (await rows(newPrimary).catch(() => '')) === '1,2,3' ? true : undefined,
    );
  });
  afterAll(async () => {
    for (const s of sessions) s.close();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('a replica runs under a server_id other than its configured one, and reports the configured one', async () => {
    const state = await readInstanceState(newPrimary);
    expect(state.runningServerId).not.toBe(2);
    expect(state.serverId).toBe(2);
  });

  it('after promotion the new primary writes under its configured server_id', async () => {
    await newPrimary.session.query(newPrimary.sql.stopReplica);
    await forgetSource(newPrimary);
    // Transaction 4 was the old primary's: written under server_id 1, received here, lost there.
    await newPrimary.session.query('SET SESSION server_id = 1');
    await newPrimary.session.query('INSERT INTO demo.rows VALUES (4)');
    await newPrimary.session.query('SET SESSION server_id = 2');
    await writeAsItself(newPrimary, await readInstanceState(newPrimary));
    await setReadOnly(newPrimary, false);
    await newPrimary.session.query('INSERT INTO demo.rows VALUES (5)');
    const state = await readInstanceState(newPrimary);
    expect(state.runningServerId).toBe(2);
    expect(formatPosition(state.position)).toMatch(/^0-2-\d+$/);
  });

  it("the old primary, attached by follow(), receives its own lost transaction and ends with exactly the primary's rows", async () => {
    await setReadOnly(oldPrimary, true);
    await follow(oldPrimary, sourceOf(servers[1]!));
    await newPrimary.session.query('INSERT INTO demo.rows VALUES (6)');
    const target = (await readInstanceState(newPrimary)).position;
    await waitFor("the old primary to reach the primary's position", 20_000, async () => {
      const st = await readInstanceState(oldPrimary);
      return comparePositions(st.position, target) === 'equal' ? st : undefined;
    });
    const st = await readInstanceState(oldPrimary);
    expect(st.replica).toMatchObject({ io: 'Yes', sqlRunning: true, lastSqlErrno: 0, lastIoErrno: 0 });
    expect(await rows(oldPrimary)).toBe('1,2,3,4,5,6');
    expect(await rows(oldPrimary)).toBe(await rows(newPrimary));
  });
});
