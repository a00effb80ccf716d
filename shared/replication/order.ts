/** How one replication position relates to another, whichever flavour (gtid.ts, gtid-set.ts). */
export type Order = 'equal' | 'ahead' | 'behind' | 'diverged';
