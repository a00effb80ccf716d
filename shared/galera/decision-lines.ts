/**
 * The HA_debug lines of a Galera member's decisions (decide.ts): the bootstrap decision with every
 * member's report, and a running member's verdict on its wsrep state. Pure, tested without a server.
 */
import { asText } from '../ocf/log.ts';
import type { BootstrapVerdict, ClusterView, MemberVerdict, WsrepStatus } from './decide.ts';

export function bootstrapDecisionLine(view: ClusterView, verdict: BootstrapVerdict): string {
  return `bootstrap decision: ${asText(view)} -> ${asText(verdict)}`;
}

export function memberDecisionLine(status: WsrepStatus, verdict: MemberVerdict): string {
  return `member decision: wsrep ${asText(status)} -> ${asText(verdict)}`;
}
