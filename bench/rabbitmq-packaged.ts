// The agent the rabbitmq-server package ships (ocf:rabbitmq:rabbitmq-server, whose monitor runs
// `rabbitmqctl status`), set up against a broker tsha's agent runs: the comparison row of
// bench/rabbitmq-monitor.ts and bench/control-plane-cost.ts.
import { writeFileSync } from 'node:fs';
import type { BrokerLayout } from '../test/support/rabbitmq.ts';

export const PACKAGED_RABBITMQ = '/usr/lib/ocf/resource.d/rabbitmq/rabbitmq-server';

/** The broker's parameters for both agents: the packaged agent's rabbitmqctl needs the standard epmd port. */
export function sharedBrokerParams(layout: BrokerLayout): Record<string, string> {
  return { ...layout.params, epmd_port: '4369' };
}

/** The packaged agent's environment for the same broker, on top of `base` (tsha's environment for it). */
export function packagedRabbitmqEnv(
  layout: BrokerLayout,
  params: Record<string, string>,
  base: Record<string, string>,
): Record<string, string> {
  // It wants an Erlang-terms file named <config_file>.config (it only checks that it exists).
  writeFileSync(`${layout.dir}/packaged.config`, '[].\n');
  return {
    ...base,
    OCF_RESOURCE_PROVIDER: 'rabbitmq',
    OCF_RESKEY_nodename: params.nodename!,
    OCF_RESKEY_pid_file: params.pid_file!,
    OCF_RESKEY_mnesia_base: params.mnesia_base!,
    OCF_RESKEY_log_base: params.log_base!,
    OCF_RESKEY_config_file: `${layout.dir}/packaged`,
  };
}
