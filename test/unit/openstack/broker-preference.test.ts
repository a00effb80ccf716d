import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lastBrokerRecord, preferLastAnswered } from '../../../shared/openstack/broker-preference.ts';
import { parseTransportUrl, targetName } from '../../../shared/openstack/transport-url.ts';

const targets = parseTransportUrl('rabbit://nova:secret@ctl1:5672,nova:secret@ctl2:5672,nova:secret@ctl3:5672/');
const order = (last: string | undefined) => preferLastAnswered(targets, last).map(targetName);

describe('the broker an RPC monitor tries first', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is the one that answered last, the others following in the written order', () => {
    expect(order('ctl3:5672')).toEqual(['ctl3:5672', 'ctl1:5672', 'ctl2:5672']);
  });

  it('is the first written when none answered yet, or the remembered one is no longer listed', () => {
    expect(order(undefined)).toEqual(['ctl1:5672', 'ctl2:5672', 'ctl3:5672']);
    expect(order('ctl9:5672')).toEqual(['ctl1:5672', 'ctl2:5672', 'ctl3:5672']);
  });

  it('is remembered per queue as host:port in a root-only file, never with the credentials', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsha-brokers-'));
    dirs.push(dir);
    const record = lastBrokerRecord(dir, 'conductor.ctl1');
    expect(record.read()).toBeUndefined();
    record.write('ctl2:5672');
    expect(lastBrokerRecord(dir, 'conductor.ctl1').read()).toBe('ctl2:5672');
    expect(lastBrokerRecord(dir, 'scheduler.ctl1').read()).toBeUndefined();
    const file = join(dir, 'tsha-rpc-brokers', 'conductor.ctl1');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain('secret');
  });

  it('writing where it cannot is no failure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsha-brokers-'));
    dirs.push(dir);
    const notADirectory = join(dir, 'file');
    writeFileSync(notADirectory, '');
    expect(() => lastBrokerRecord(notADirectory, 'q').write('ctl1:5672')).not.toThrow();
    expect(lastBrokerRecord(notADirectory, 'q').read()).toBeUndefined();
  });
});
