/**
 * The server_id a replica runs under while it replicates, and back.
 *
 * A replica's IO thread drops every event that carries its own server_id (that rule exists for
 * circular replication, which tsha never builds). A MariaDB primary that crashed under semi-sync and
 * recovered with init-rpl-role=SLAVE truncates the transactions its engine had not committed — some of
 * which a replica had already received and applied. The new primary has them in its binary log, under
 * the old primary's server_id; the old primary, attaching by GTID from before them, would skip exactly
 * those events and report healthy replication with rows missing for good. So while an instance is a
 * replica it runs under a server_id no server writes with: its configured one with the top bit set.
 * Nothing is written under that id (a replica is read-only), the mapping needs no state file, and it
 * stays unique in the cluster as long as the configured ids are, below 2^31. Promotion restores the
 * configured id before the first write, so every transaction is still named by its real writer.
 */
const REPLICA_BIT = 2 ** 31;

/** What `server_id` may be configured to for this scheme: 1 .. 2^31 - 1 (0 cannot replicate at all). */
export function configurableServerId(id: number): boolean {
  return Number.isInteger(id) && id > 0 && id < REPLICA_BIT;
}

/** The id a replica of configured id `configured` runs under. */
export function replicaServerId(configured: number): number {
  return configurableServerId(configured) ? configured + REPLICA_BIT : configured;
}

/** The configured id behind whatever the server runs under now (replica or not). */
export function configuredServerId(current: number): number {
  return current > REPLICA_BIT && current - REPLICA_BIT < REPLICA_BIT ? current - REPLICA_BIT : current;
}
