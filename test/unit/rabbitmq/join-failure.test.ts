import { describe, expect, it } from 'vitest';
import { judgeJoinFailure } from '../../../shared/rabbitmq/join-failure.ts';

// rabbitmqctl 3.10's own output, as the lab's concurrent joins printed it.
const staleN3 = [
  "05:25:40.953 [error] Node rabbit@n1 thinks it's clustered with node rabbit@n3, but rabbit@n3 disagrees",
  'Error:',
  "{:inconsistent_cluster, 'Node rabbit@n1 thinks it\\'s clustered with node rabbit@n3, but rabbit@n3 disagrees'}",
].join('\n');

describe('judgeJoinFailure: what a failed join_cluster means for the node that tried', () => {
  it('the running cluster listing this node from a join that did not complete: it forgets the node, which joins again', () => {
    expect(judgeJoinFailure(staleN3, 'rabbit@n3')).toEqual({
      kind: 'forget-then-join',
      reason: 'the running cluster still lists rabbit@n3 from a join that did not complete',
    });
  });

  it('another node listed stale is not this node to forget: it retries', () => {
    expect(judgeJoinFailure(staleN3, 'rabbit@n2').kind).toBe('retry');
  });

  it('this node believing it is a member while the peer disagrees is never answered by forgetting: it retries', () => {
    const reverse =
      "Error:\n{:inconsistent_cluster, 'Node rabbit@n3 thinks it\\'s clustered with node rabbit@n1, but rabbit@n1 disagrees'}";
    expect(judgeJoinFailure(reverse, 'rabbit@n3').kind).toBe('retry');
  });

  it('any other failure is retried', () => {
    const down = "Error: unable to perform an operation on node 'rabbit@n1'. Please see diagnostics information and suggestions below.";
    expect(judgeJoinFailure(down, 'rabbit@n3')).toEqual({ kind: 'retry' });
    expect(judgeJoinFailure('', 'rabbit@n3')).toEqual({ kind: 'retry' });
  });
});
