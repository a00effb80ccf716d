import { describe, expect, it } from 'vitest';
import { pingEnvelope, readReply } from '../../../shared/openstack/rpc-ping.ts';

const ids = { msgId: 'm1', replyQueue: 'amq.gen-1', uniqueId: 'u1', requestId: 'req-1' };

describe('the oslo.messaging RPC ping', () => {
  it('is a 2.0 envelope calling oslo_rpc_server_ping, version 1.0, no namespace, replying to our queue', () => {
    const envelope = pingEnvelope(ids);
    expect(envelope['oslo.version']).toBe('2.0');
    const message = JSON.parse(envelope['oslo.message']) as Record<string, unknown>;
    expect(message).toMatchObject({
      method: 'oslo_rpc_server_ping',
      args: {},
      version: '1.0',
      _msg_id: 'm1',
      _reply_q: 'amq.gen-1',
      _unique_id: 'u1',
      _context_request_id: 'req-1',
    });
    expect(message).not.toHaveProperty('namespace');
  });

  it('reads "pong" from an enveloped reply with our message id', () => {
    const reply = JSON.stringify({
      'oslo.version': '2.0',
      'oslo.message': JSON.stringify({ result: 'pong', failure: null, ending: true, _msg_id: 'm1' }),
    });
    expect(readReply(reply, 'm1')).toEqual({ kind: 'pong' });
  });

  it('ignores replies to other calls and the bare "ending" message of old drivers', () => {
    expect(readReply(JSON.stringify({ result: 'pong', _msg_id: 'other' }), 'm1')).toBeUndefined();
    expect(readReply(JSON.stringify({ ending: true, _msg_id: 'm1' }), 'm1')).toBeUndefined();
    expect(readReply('not json', 'm1')).toBeUndefined();
  });

  it('reports a failure raised in the service by its class and message', () => {
    const failure = JSON.stringify({
      class: 'NoSuchMethod',
      module: 'oslo_messaging.rpc.dispatcher',
      message: 'Endpoint does not support RPC method oslo_rpc_server_ping',
    });
    expect(readReply(JSON.stringify({ result: null, failure, _msg_id: 'm1' }), 'm1')).toEqual({
      kind: 'failure',
      detail: 'NoSuchMethod: Endpoint does not support RPC method oslo_rpc_server_ping',
    });
  });
});
