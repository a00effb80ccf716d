import { describe, expect, it } from 'vitest';
import { parsePolicy, policyArgs } from '../../../shared/rabbitmq/policy.ts';

describe('set_policy', () => {
  it('takes heartbeat/rabbitmq-cluster’s form: name, pattern, definition', () => {
    expect(policyArgs(parsePolicy('ha-all ^(?!amq\\.).* {"ha-mode":"all"}'))).toEqual([
      'set_policy',
      'ha-all',
      '^(?!amq\\.).*',
      '{"ha-mode":"all"}',
    ]);
  });

  it('keeps options before the name, with their values, in either spelling', () => {
    const p = parsePolicy('--vhost /nova --priority=1 --apply-to queues lazy ^notifications\\. {"queue-mode":"lazy"}');
    expect(p.options).toEqual(['--vhost', '/nova', '--priority', '1', '--apply-to', 'queues']);
    expect([p.name, p.pattern]).toEqual(['lazy', '^notifications\\.']);
  });

  it('a definition with blanks inside is one argument (heartbeat split it)', () => {
    expect(parsePolicy('ttl ^reply_ { "message-ttl": 60000, "expires": 600000 }').definition).toBe(
      '{ "message-ttl": 60000, "expires": 600000 }',
    );
  });

  it('drops shell quotes around a word: the string never passes through a shell', () => {
    const p = parsePolicy(`ha-all '^(?!amq\\.).*' '{"ha-mode":"all"}'`);
    expect([p.pattern, p.definition]).toEqual(['^(?!amq\\.).*', '{"ha-mode":"all"}']);
  });

  it.each([
    ['only a name', 'ha-all', /name pattern definition/],
    ['a definition that is not JSON', 'ha-all .* ha-mode=all', /not JSON/],
    ['a JSON array as definition', 'x .* [1]', /JSON object/],
    ['an unknown option', '--force x .* {}', /unknown option --force/],
    ['an option without its value', '--priority', /needs a value/],
  ])('refuses %s', (_what, text, reason) => {
    expect(() => parsePolicy(text)).toThrow(reason);
  });
});
