import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OCF } from '../../../shared/ocf/exit-codes.ts';
import { consumerRecord, missingConsumerVerdict } from '../../../shared/openstack/consumer-grace.ts';

describe('a missing consumer on an RPC service queue', () => {
  it('is DEGRADED when first found, within the grace', () => {
    expect(missingConsumerVerdict(1000, 1000, 60)).toEqual({ code: OCF.DEGRADED, missingFor: 0 });
    expect(missingConsumerVerdict(1000, 59_000, 60).code).toBe(OCF.DEGRADED);
  });

  it('is a failure once missing for the whole grace', () => {
    expect(missingConsumerVerdict(1000, 61_000, 60)).toEqual({ code: OCF.ERR_GENERIC, missingFor: 60 });
  });

  it('is a failure at once with reconnect_grace=0, or when nothing could be recorded', () => {
    expect(missingConsumerVerdict(1000, 1000, 0).code).toBe(OCF.ERR_GENERIC);
    expect(missingConsumerVerdict(undefined, 1000, 0).code).toBe(OCF.ERR_GENERIC);
  });

  describe('its record in the state directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsha-grace-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps the first time it was found missing until cleared', () => {
      const record = consumerRecord(dir, 'scheduler.node1');
      expect(record.since(5000)).toBe(5000);
      expect(record.since(9000)).toBe(5000);
      record.clear();
      expect(record.since(12_000)).toBe(12_000);
    });

    it('is kept per queue', () => {
      consumerRecord(dir, 'cert.a').since(100);
      expect(consumerRecord(dir, 'cert.b').since(200)).toBe(200);
      expect(consumerRecord(dir, 'cert.a').since(300)).toBe(100);
    });

    it('records nothing where the directory cannot be written', () => {
      const file = join(dir, 'a-file');
      writeFileSync(file, '');
      expect(consumerRecord(file, 'q').since(1)).toBeUndefined();
    });
  });
});
