/**
 * The HA_debug line of a clone instance's start decision (decide.ts): everything it saw (members,
 * partition, quorum, running brokers, this node's data, the founder) and what it decided. Pure.
 */
import { asText } from '../ocf/log.ts';
import type { StartVerdict, StartView } from './decide.ts';

export function startDecisionLine(view: StartView, verdict: StartVerdict): string {
  return `start decision: ${asText(view)} -> ${asText(verdict)}`;
}
