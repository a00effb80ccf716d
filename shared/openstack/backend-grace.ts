/**
 * How long an API service may fail its authenticated call while it serves before its monitor fails.
 *
 * Depth 10 runs after depth 0 has found the process answering its own endpoint. If its authenticated
 * API call then answers 5xx, or nothing within the call's bound, what fails is behind the service: its
 * database failing over (the VIP moving, pooled connections waiting out their retransmissions), a cell
 * or the broker. Restarting the service does not bring the database back, and on the survivor of a
 * controller crash a restart competes for the cores with the starts the failover needs. Measured in one
 * bench repeat: on the survivor, nova-api's depth-10 monitor timed out against the crashed database and
 * Pacemaker restarted nova-api; its 9.8 s start ran beside keystone's and glance-api's, which took 6.9
 * and 9.2 s instead of 3–5.6 and 3.9–8.2 s. So the failure is DEGRADED for backend_grace seconds
 * (grace.ts), then a failure: a service that stays broken while its backend is fine is still restarted.
 */
import { monitorStateFile } from './monitor-state.ts';
import { sinceRecord } from './grace.ts';

/** Since when one resource instance's authenticated call has been failing, in the agents' state directory. */
export function backendRecord(stateDir: string, instance: string) {
  return sinceRecord(monitorStateFile(stateDir, 'tsha-api-backend', instance));
}
