import { defineAgent } from '../shared/ocf/agent.ts';
import { OCF } from '../shared/ocf/exit-codes.ts';
import { start, stop } from '../shared/mysql/lifecycle.ts';
import { monitor } from '../shared/mysql/monitor.ts';
import { demote, notify, promote } from '../shared/mysql/promotable.ts';
import { mysqlParameters } from '../shared/mysql/parameters.ts';
import { validate } from '../shared/mysql/validate.ts';

export default defineAgent({
  name: 'mysql',
  shortdesc: 'MySQL / MariaDB server',
  longdesc:
    'Manages a MySQL or MariaDB server. Every check runs in-process over the server socket with a deadline ' +
    'taken from the operation timeout: monitor depth 0 checks that the pid is a live server that greets on its ' +
    'socket (a hung server fails within seconds), depth 10 adds a query on test_table as test_user. ' +
    'Parameter names and meanings follow heartbeat/mysql.',
  parameters: mysqlParameters,
  validate,
  actions: {
    start: { timeout: 120, run: start },
    stop: { timeout: 120, run: stop },
    monitor: {
      timeout: 20,
      interval: 20,
      depth: 0,
      run: monitor,
      also: [
        { timeout: 30, interval: 60, depth: 10 },
        { timeout: 20, interval: 10, depth: 0, role: 'Promoted' },
        { timeout: 20, interval: 30, depth: 0, role: 'Unpromoted' },
      ],
    },
    promote: { timeout: 120, run: promote },
    demote: { timeout: 120, run: demote },
    notify: { timeout: 90, run: notify },
    // Monitor-only parameters are read on every call: taking new values needs no restart.
    'reload-agent': { timeout: 20, run: async () => OCF.SUCCESS },
  },
});
