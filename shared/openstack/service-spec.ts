/** What an OpenStack service agent file declares: only what differs between the services. */
import type { ParameterTable, ParameterValues } from '../ocf/parameters.ts';

/** RPC services are checked on their own queue `<topic>.<host>` of their control exchange. */
export interface RpcCheck {
  readonly kind: 'rpc';
  readonly topic: string;
  /** oslo.messaging control_exchange the service uses when [DEFAULT] control_exchange is unset. */
  readonly exchange: string;
}

/**
 * API services: depth 0 GETs `url` without credentials; depth 10 logs in to Keystone and either
 * validates the token (keystone itself) or GETs `path`, relative to `url`'s folder, with it.
 */
export interface HttpCheck {
  readonly kind: 'http';
  readonly url: string;
  readonly authenticated?: { readonly kind: 'token' } | { readonly kind: 'get'; readonly path: string };
}

export interface UwsgiDeployment {
  /** The ini the agent defaults to (keystone's Debian ini); empty when uwsgi is opt-in. */
  readonly ini: string;
  readonly httpSocket: string;
  /** How the WSGI application finds the config files given to the agent. */
  readonly appEnv: (configFiles: readonly string[]) => Record<string, string>;
}

/** `E`: the agent's own extra parameters, whose parsed values derive and extraArgs receive, typed. */
export interface ServiceSpec<E extends ParameterTable = ParameterTable> {
  readonly name: string;
  readonly shortdesc: string;
  readonly longdesc: string;
  /** Default binary; empty when `derive` chooses it. */
  readonly binary: string;
  readonly config: string;
  readonly user: string;
  readonly check: RpcCheck | HttpCheck;
  readonly uwsgi?: UwsgiDeployment;
  /** Extra parameters of this agent only. */
  readonly parameters?: E;
  /** Values for binary and url when those are left empty, from the agent's own parameters. */
  derive?(values: ParameterValues<E>): { readonly binary?: string; readonly url?: string };
  /** Arguments the agent's own parameters add to the command line, before additional_parameters. */
  extraArgs?(values: ParameterValues<E>): readonly string[];
  /** Operation timeouts (s) and monitor interval; defaults suit a Python service that imports for seconds. */
  readonly timeouts?: { readonly start?: number; readonly stop?: number; readonly monitor?: number; readonly interval?: number };
}
