import { describe, expect, it } from 'vitest';
import { configurableServerId, configuredServerId, replicaServerId } from '../../../shared/replication/server-id.ts';

describe('the server_id a replica runs under', () => {
  it("differs from its configured id, so that the IO thread drops none of the instance's own past writes", () => {
    expect(replicaServerId(2)).not.toBe(2);
    expect(replicaServerId(2)).toBe(2 ** 31 + 2);
  });

  it('maps back to the configured id, with no state kept anywhere', () => {
    for (const id of [1, 2, 3, 100, 2 ** 31 - 1]) expect(configuredServerId(replicaServerId(id))).toBe(id);
  });

  it('a configured id reads back as itself', () => {
    for (const id of [1, 2, 4000, 2 ** 31 - 1]) expect(configuredServerId(id)).toBe(id);
  });

  it('stays unique across instances whose configured ids are unique', () => {
    const ids = [1, 2, 3, 2 ** 31 - 1].map(replicaServerId);
    expect(new Set(ids).size).toBe(4);
    expect(ids.every((id) => id <= 2 ** 32 - 1)).toBe(true);
  });

  it('server_id 0 (cannot replicate) and ids from 2^31 on cannot be configured for this scheme', () => {
    expect(configurableServerId(0)).toBe(false);
    expect(configurableServerId(2 ** 31)).toBe(false);
    expect(configurableServerId(2 ** 32 - 1)).toBe(false);
    expect(configurableServerId(1)).toBe(true);
    expect(configurableServerId(2 ** 31 - 1)).toBe(true);
  });
});
