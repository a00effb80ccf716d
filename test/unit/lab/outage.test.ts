import { describe, expect, it } from 'vitest';
import type { ClientRun } from '../../lab/client.ts';
import { outageAfter } from '../../lab/openstack-setup.ts';

const run = (lines: string[]) => ({ lines }) as unknown as ClientRun;

describe("the control-plane watcher's outage (overlapping attempts)", () => {
  it('ends with the first answer among attempts started after the last failed one', () => {
    // Started at 1000 and hung for 2 s on the dead node; the one started at 2500 answered at 2800.
    const o = outageAfter(run(['fail 1000 token: aborted', 'fail 2250 token: aborted', 'ok 2800 2500', 'fail 3000 token: aborted']), 0);
    expect(o.answeredAfter).toBeUndefined();
    const later = outageAfter(run(['fail 1000 token: aborted', 'ok 2800 2500', 'fail 2250 token: aborted', 'ok 3100 2750']), 0);
    expect(later).toMatchObject({ answeredAfter: 2.8, failures: 2, firstFailure: 1, lastFailure: 2.25, lastReason: 'token: aborted' });
  });

  it('an attempt answering late does not end the outage before an earlier-started one', () => {
    const o = outageAfter(run(['fail 1000 images: HTTP 503', 'ok 4000 1250', 'ok 3000 1500']), 0);
    expect(o.answeredAfter).toBe(3);
  });

  it('no failure since `since` is no outage; attempts started before it are not counted', () => {
    expect(outageAfter(run(['fail 500 token: aborted', 'ok 1200 900', 'ok 1500 1100']), 1000)).toMatchObject({
      answeredAfter: 0,
      failures: 0,
      answers: 1,
    });
  });
});
