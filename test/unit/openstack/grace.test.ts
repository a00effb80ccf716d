import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OCF } from '../../../shared/ocf/exit-codes.ts';
import { backendRecord } from '../../../shared/openstack/backend-grace.ts';
import { consumerRecord } from '../../../shared/openstack/consumer-grace.ts';
import { graceVerdict } from '../../../shared/openstack/grace.ts';

describe('a problem a restart would not fix, under a grace (a missing consumer, a failing backend)', () => {
  it('is DEGRADED when first seen, within the grace', () => {
    expect(graceVerdict(1000, 1000, 60)).toEqual({ code: OCF.DEGRADED, lastedFor: 0 });
    expect(graceVerdict(1000, 59_000, 60).code).toBe(OCF.DEGRADED);
  });

  it('is a failure once it has lasted the whole grace', () => {
    expect(graceVerdict(1000, 61_000, 60)).toEqual({ code: OCF.ERR_GENERIC, lastedFor: 60 });
  });

  it('is a failure at once with a grace of 0', () => {
    expect(graceVerdict(1000, 1000, 0).code).toBe(OCF.ERR_GENERIC);
    expect(graceVerdict(undefined, 1000, 0).code).toBe(OCF.ERR_GENERIC);
  });

  it('is a failure at once when nothing could be recorded: without a record the grace would never end', () => {
    expect(graceVerdict(undefined, 1000, 60)).toEqual({ code: OCF.ERR_GENERIC, lastedFor: 0 });
  });

  describe('its record in the state directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsha-grace-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps the first time it was seen until cleared', () => {
      const record = consumerRecord(dir, 'scheduler.node1');
      expect(record.since(5000)).toBe(5000);
      expect(record.since(9000)).toBe(5000);
      record.clear();
      expect(record.since(12_000)).toBe(12_000);
    });

    it('is kept per queue, and per resource for a backend', () => {
      consumerRecord(dir, 'cert.a').since(100);
      expect(consumerRecord(dir, 'cert.b').since(200)).toBe(200);
      expect(consumerRecord(dir, 'cert.a').since(300)).toBe(100);
      expect(backendRecord(dir, 'cert.a').since(400)).toBe(400);
      expect(backendRecord(dir, 'nova_api:1').since(500)).toBe(500);
      expect(backendRecord(dir, 'nova_api:1').since(600)).toBe(500);
    });

    it('records nothing where the directory cannot be written', () => {
      const file = join(dir, 'a-file');
      writeFileSync(file, '');
      expect(consumerRecord(file, 'q').since(1)).toBeUndefined();
      expect(backendRecord(file, 'r').since(1)).toBeUndefined();
    });
  });
});
