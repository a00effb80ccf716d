/** A small agent for the runtime's tests, with one parameter of each kind. */
import { defineAgent, type ActionDeclaration, type ActionName, type Validator } from '../../../shared/ocf/agent.ts';
import { OCF } from '../../../shared/ocf/exit-codes.ts';
import { boolean, integer, seconds, select, string } from '../../../shared/ocf/parameters.ts';

export const sampleParameters = {
  name: string({ shortdesc: 'Instance name', longdesc: 'Name of the thing managed.', required: true, unique: true }),
  count: integer({ shortdesc: 'How many', longdesc: 'A count.', default: 3 }),
  wait: seconds({ shortdesc: 'How long', longdesc: 'A duration.', default: 30, reloadable: true }),
  verbose: boolean({ shortdesc: 'Talk more', longdesc: 'A flag.', default: false }),
  mode: select(['fast', 'safe'], { shortdesc: 'Mode', longdesc: 'How to go.', default: 'safe', reloadable: true }),
  password: string({ shortdesc: 'Password', longdesc: 'A secret.', default: '', secret: true }),
  probe_table: string({
    shortdesc: 'Probe table',
    longdesc: 'Read by monitor only.',
    default: 'db.t',
    monitorOnly: true,
    aliases: ['probetable'],
  }),
  probe_limit: integer({ shortdesc: 'Probe limit', longdesc: 'Read by monitor only.', default: 10, monitorOnly: true }),
} as const;

export type SampleParameters = typeof sampleParameters;

export interface SampleOptions {
  readonly actions?: { readonly [A in ActionName]?: ActionDeclaration<SampleParameters> };
  readonly validate?: Validator<SampleParameters>;
}

export function sampleAgent(o: SampleOptions = {}) {
  return defineAgent({
    name: 'sample',
    version: '1.2.3',
    shortdesc: 'Sample agent',
    longdesc: 'An agent for tests.',
    parameters: sampleParameters,
    validate: o.validate ?? (async () => undefined),
    actions: {
      start: { timeout: 60, run: async () => OCF.SUCCESS },
      stop: { timeout: 60, run: async () => OCF.SUCCESS },
      monitor: { timeout: 20, interval: 10, run: async () => OCF.NOT_RUNNING },
      ...o.actions,
    },
  });
}
