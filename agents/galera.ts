import { defineAgent } from '../shared/ocf/agent.ts';
import { OCF } from '../shared/ocf/exit-codes.ts';
import { start, stop } from '../shared/galera/lifecycle.ts';
import { monitor } from '../shared/galera/monitor.ts';
import { galeraParameters } from '../shared/galera/parameters.ts';
import { demote, notify, promote } from '../shared/galera/promote.ts';
import { validate } from '../shared/galera/validate.ts';

export default defineAgent({
  name: 'galera',
  shortdesc: 'MariaDB Galera Cluster member',
  longdesc:
    'Manages a member of a MariaDB Galera Cluster as a promotable clone (notify=true, promoted-max = clone-max): ' +
    'Unpromoted is the server stopped with its last committed position published, Promoted is the server running ' +
    'Synced in the primary component. With no primary component running, the most advanced member bootstraps, ' +
    'compared when the decision is taken; when members are offline it bootstraps only where that is provably safe ' +
    '(Galera marked it safe_to_bootstrap, or the last primary component excluded the missing members, or a majority of ' +
    'it has waited bootstrap_wait), and otherwise waits, saying why in crm_mon (190). Joiners are an observed phase ' +
    'with their own bound. writer_attribute marks Synced members for a single writer VIP. Parameter names and ' +
    'meanings follow heartbeat/galera.',
  parameters: galeraParameters,
  validate,
  actions: {
    start: { timeout: 120, run: start },
    stop: { timeout: 120, run: stop },
    monitor: {
      timeout: 30,
      interval: 20,
      depth: 0,
      run: monitor,
      also: [
        { timeout: 30, interval: 10, depth: 0, role: 'Promoted' },
        { timeout: 30, interval: 3, depth: 0, role: 'Unpromoted' },
      ],
    },
    promote: { timeout: 300, run: promote },
    demote: { timeout: 120, run: demote },
    notify: { timeout: 90, run: notify },
    'reload-agent': { timeout: 20, run: async () => OCF.SUCCESS },
  },
});
