import { net } from '../ocf/builtins.ts';
import { runCommand } from '../process/command.ts';
import type { Deadline } from '../ocf/deadline.ts';

const RESET_CAP_MS = 3000;

/**
 * At a promotion, this node's TCP connections to client_vip on the server's port (replication_port) are
 * reset with `ss -K`, on every node the clone runs on. Pacemaker runs every post-promote before the VIP
 * ordered after the promotion starts, so each of them still leads to the old primary: gone (a crash) or
 * read-only (a switchover). Left alone, a client blocked on one waits out TCP's retransmission backoff
 * (0.2, 0.4, … 3.2, 6.4 s apart) and learns only at the next retransmission after the VIP moved that the
 * connection is dead; reset now, it reconnects as soon as the VIP answers. The lab measured that wait
 * as the largest part of the active/active control plane's outage after the database VIP was up.
 * Returns what was done, for the log; never throws (a notification never fails).
 */
export async function resetClientConnections(vip: string, port: number, deadline: Deadline): Promise<string | undefined> {
  if (vip === '') return undefined;
  const host = net().isIPv6(vip) ? `[${vip}]` : vip;
  // -K kills every socket the filter lists, and lists them: one line each after the header.
  let r;
  try {
    r = await runCommand('ss', ['-K', '-t', '-n', 'dst', host, 'dport', '=', `:${port}`], deadline, RESET_CAP_MS);
  } catch (error) {
    return `could not reset connections to ${vip}:${port}: ${(error as Error).message}`;
  }
  if (r.exitCode !== 0)
    return `could not reset connections to ${vip}:${port}: ss -K ${r.timedOut ? 'timed out' : `exit ${r.exitCode}: ${r.stderr.trim()}`}`;
  const reset = r.stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('State') && !l.startsWith('Recv-Q')).length;
  return `reset ${reset} client connection${reset === 1 ? '' : 's'} to ${vip}:${port} (they led to the old primary)`;
}
