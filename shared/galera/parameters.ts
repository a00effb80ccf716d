import { boolean, seconds, string, type ParameterValues } from '../ocf/parameters.ts';
import { mysqlParameters } from '../mysql/parameters.ts';

const { binary, client_binary, config, datadir, user, group, log, pid, socket, enable_creation, additional_parameters } = mysqlParameters;

/**
 * Every heartbeat/galera parameter with its name and meaning (an existing primitive only changes its
 * provider), the server's paths shared with ocf:tsha:mysql, and what tsha adds: how long a majority
 * waits for missing members, a bound on state transfer, and the writer attribute a VIP follows.
 */
export const galeraParameters = {
  binary,
  client_binary,
  config,
  datadir,
  user,
  group,
  log,
  pid,
  socket,
  enable_creation,
  additional_parameters,
  wsrep_cluster_address: string({
    shortdesc: 'Galera cluster address',
    longdesc:
      'gcomm:// followed by every member host (host[:port], comma-separated). The agent passes it to the server itself, ' +
      'and the bootstrap decision waits for, or reasons about, exactly these members.',
    required: true,
  }),
  cluster_host_map: string({
    shortdesc: 'Pacemaker to Galera name mapping',
    longdesc:
      'node:host pairs separated by semicolons, where Pacemaker node names differ from the hosts in wsrep_cluster_address ' +
      '(e.g. "n1:192.168.1.11;n2:192.168.1.12"). Hosts may be names or addresses.',
    default: '',
  }),
  check_user: string({
    shortdesc: 'MySQL test user',
    longdesc: 'Account the monitor reads wsrep status as. root works over the socket with unix_socket authentication.',
    default: 'root',
    reloadable: true,
    monitorOnly: true,
  }),
  check_passwd: string({
    shortdesc: 'check password',
    longdesc: 'Password of check_user (never logged, never on a command line).',
    default: '',
    secret: true,
    reloadable: true,
    monitorOnly: true,
  }),
  check_passwd_use_empty: boolean({
    shortdesc: 'check password use empty',
    longdesc: 'Accepted for heartbeat/galera compatibility: an empty check_passwd is always sent as no password.',
    default: false,
    reloadable: true,
    monitorOnly: true,
  }),
  two_node_mode: boolean({
    shortdesc: 'Special recovery when running on a 2-node cluster',
    longdesc:
      'In a two-node Pacemaker cluster (two_node quorum with fencing required): a survivor whose peer Pacemaker has ' +
      'fenced (offline, not unclean) bootstraps without waiting for it, and a survivor left in a non-Primary component ' +
      're-forms the primary component in place (pc.bootstrap). A peer that only left the partition is waited for: both ' +
      'halves of a split pair are quorate.',
    default: false,
  }),
  bootstrap_wait: seconds({
    shortdesc: 'Time a majority waits for missing members',
    longdesc:
      'After an outage, when members of the last primary component are offline and no record proves they left before it, ' +
      'a majority of that component bootstraps only after waiting this long for them. Members that are online are always waited for.',
    default: 30,
    reloadable: true,
  }),
  sst_timeout: seconds({
    shortdesc: "Bound on a joiner's state transfer",
    longdesc:
      'A joining member that is not Synced within this time (0: the promote timeout) is stopped, which ends the state ' +
      'transfer, and the promote fails with the phase it was in. Its progress is logged meanwhile.',
    default: 0,
    reloadable: true,
  }),
  writer_attribute: string({
    shortdesc: 'Node attribute marking the member that may take writes',
    longdesc:
      'Transient node attribute set to 1 where the member is Synced in the primary component, 0 elsewhere: a single VIP ' +
      'with a location rule on it gives clients that need one a single writer address.',
    default: 'galera-writable',
    unique: true,
    monitorOnly: true,
  }),
} as const;

export type GaleraParameters = typeof galeraParameters;
export type GaleraValues = ParameterValues<GaleraParameters>;
