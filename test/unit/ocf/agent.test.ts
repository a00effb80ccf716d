import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defineAgent, type Agent, type AgentDeclaration } from '../../../shared/ocf/agent.ts';
import { OCF } from '../../../shared/ocf/exit-codes.ts';
import { metadata } from '../../../shared/ocf/metadata.ts';
import { boolean, integer, seconds, select, string, type ParameterTable } from '../../../shared/ocf/parameters.ts';
import { sampleAgent } from './sample-agent.ts';

const AGENTS = new URL('../../../agents/', import.meta.url);
const agentFiles = readdirSync(AGENTS).filter((f) => f.endsWith('.ts'));

const ok = async () => OCF.SUCCESS;
const d = { shortdesc: 'short', longdesc: 'long' };

/** A valid declaration to break one piece at a time. */
function declaration(patch: Partial<AgentDeclaration<ParameterTable>> = {}): AgentDeclaration<ParameterTable> {
  return {
    name: 'broken',
    version: '0.0.1',
    shortdesc: 'Broken',
    longdesc: 'A declaration with one mistake.',
    parameters: { datadir: string({ ...d, default: '/srv' }) },
    validate: async () => undefined,
    actions: {
      start: { timeout: 20, run: ok },
      stop: { timeout: 20, run: ok },
      monitor: { timeout: 20, interval: 10, run: ok },
    },
    ...patch,
  };
}

function failure(patch: Partial<AgentDeclaration<ParameterTable>>): string {
  try {
    defineAgent(declaration(patch));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the declaration was accepted');
}

describe('the real agents', () => {
  it('there is at least one agent', () => {
    expect(agentFiles).toContain('mysql.ts');
  });

  it.each(agentFiles)('agents/%s loads and is a defined agent', async (file) => {
    const module = (await import(new URL(file, AGENTS).href)) as { default: Agent<ParameterTable> };
    const agent = module.default;
    expect(agent.name).toBe(file.replace(/\.ts$/, ''));
    expect(Object.isFrozen(agent)).toBe(true);
    expect(agent.actions.start).toBeDefined();
    expect(agent.actions.stop).toBeDefined();
    expect(agent.actions.monitor).toBeDefined();
    for (const name of Object.keys(agent.parameters)) expect(agent.names.get(name)).toBe(name);
    expect(metadata(agent, '1.1')).toContain(`<resource-agent name="${agent.name}"`);
  });
});

describe('defineAgent', () => {
  it('accepts a valid declaration and maps every name and alias to its parameter', () => {
    const agent = sampleAgent();
    expect(agent.names.get('probe_table')).toBe('probe_table');
    expect(agent.names.get('probetable')).toBe('probe_table');
    expect(agent.names.get('count')).toBe('count');
    expect(agent.names.has('nothing')).toBe(false);
  });

  it('names the agent in its failure', () => {
    expect(failure({ actions: {} })).toMatch(/^agent broken declaration is invalid: /);
  });

  it('refuses an alias that clashes with a parameter name', () => {
    expect(
      failure({
        parameters: {
          datadir: string({ ...d, default: '/srv' }),
          data: string({ ...d, default: '', aliases: ['datadir'] }),
        },
      }),
    ).toContain('parameter datadir defined twice');
  });

  it('refuses one alias claimed by two parameters', () => {
    expect(
      failure({
        parameters: {
          test_user: string({ ...d, default: 'root', aliases: ['user'] }),
          admin_user: string({ ...d, default: 'root', aliases: ['user'] }),
        },
      }),
    ).toContain('parameter user defined twice');
  });

  it('refuses a required parameter with a default', () => {
    expect(failure({ parameters: { datadir: string({ ...d, required: true, default: '/srv' }) } })).toContain(
      'parameter datadir is required and has a default',
    );
  });

  it('refuses a default that does not parse, saying why', () => {
    const message = failure({
      parameters: { lag: seconds({ ...d, default: 1.5 }) },
    });
    expect(message).toContain('parameter lag: default does not parse: parameter lag expects a number of seconds');
    expect(message).toContain('"1.5"');
  });

  it('refuses a select default that is not one of its options', () => {
    expect(failure({ parameters: { mode: select(['a', 'b'], { ...d, default: 'c' as 'a' }) } })).toContain(
      'parameter mode: default does not parse',
    );
  });

  it('refuses a default of the wrong type (it parses to another value)', () => {
    // Only reachable past the type system, e.g. from a JavaScript caller.
    const flag = boolean({ ...d, default: 'yes' as unknown as boolean });
    expect(failure({ parameters: { flag } })).toContain('parameter flag: default yes parses to true');
  });

  it('refuses an action without a timeout', () => {
    expect(
      failure({
        actions: {
          start: { timeout: 0, run: ok },
          stop: { timeout: 20, run: ok },
          monitor: { timeout: 20, run: ok },
        },
      }),
    ).toContain('action start has no timeout');
  });

  it('refuses an extra monitor entry without a timeout', () => {
    expect(
      failure({
        actions: {
          start: { timeout: 20, run: ok },
          stop: { timeout: 20, run: ok },
          monitor: { timeout: 20, interval: 10, run: ok, also: [{ timeout: Number.NaN, interval: 30 }] },
        },
      }),
    ).toContain('action monitor has no timeout');
  });

  it('refuses two monitors with one interval', () => {
    expect(
      failure({
        actions: {
          start: { timeout: 20, run: ok },
          stop: { timeout: 20, run: ok },
          monitor: { timeout: 20, interval: 10, depth: 0, run: ok, also: [{ timeout: 30, interval: 10, depth: 10 }] },
        },
      }),
    ).toContain('monitor interval 10s advertised twice');
  });

  it('accepts two monitors with distinct intervals', () => {
    expect(() =>
      defineAgent(
        declaration({
          actions: {
            start: { timeout: 20, run: ok },
            stop: { timeout: 20, run: ok },
            monitor: { timeout: 20, interval: 10, run: ok, also: [{ timeout: 30, interval: 60, depth: 10 }] },
          },
        }),
      ),
    ).not.toThrow();
  });

  it.each(['start', 'stop', 'monitor'] as const)('refuses a declaration without %s', (missing) => {
    const actions = { ...declaration().actions };
    delete actions[missing];
    expect(failure({ actions })).toContain(`action ${missing} is mandatory`);
  });

  it('refuses promote without demote', () => {
    expect(failure({ actions: { ...declaration().actions, promote: { timeout: 20, run: ok } } })).toContain(
      'promote and demote come together',
    );
  });

  it('refuses demote without promote', () => {
    expect(failure({ actions: { ...declaration().actions, demote: { timeout: 20, run: ok } } })).toContain(
      'promote and demote come together',
    );
  });

  it('accepts promote with demote', () => {
    expect(() =>
      defineAgent(
        declaration({
          actions: { ...declaration().actions, promote: { timeout: 20, run: ok }, demote: { timeout: 20, run: ok } },
        }),
      ),
    ).not.toThrow();
  });

  it.each(['MySQL', 'my_sql', '1agent', ''])('refuses the agent name %j', (name) => {
    expect(failure({ name })).toContain(`agent name ${JSON.stringify(name)} is not a valid agent type`);
  });

  it('refuses an agent without parameters', () => {
    expect(failure({ parameters: {} })).toContain('an agent needs at least one parameter');
  });

  it.each(['DataDir', 'data-dir', '_x'])('refuses the parameter name %j', (name) => {
    expect(failure({ parameters: { [name]: string({ ...d, default: '' }) } })).toContain(
      `parameter name ${JSON.stringify(name)} is not lower_snake_case`,
    );
  });

  it('refuses a parameter without descriptions', () => {
    expect(failure({ parameters: { datadir: string({ shortdesc: ' ', longdesc: 'x', default: '' }) } })).toContain(
      'parameter datadir lacks a description',
    );
  });

  it('refuses a secret parameter with a non-empty default', () => {
    expect(failure({ parameters: { password: string({ ...d, secret: true, default: 'changeme' }) } })).toContain(
      'secret parameter password has a default',
    );
  });

  it('refuses a select parameter without options', () => {
    expect(failure({ parameters: { mode: select([], d) } })).toContain('select parameter mode has no options');
  });

  it('lists every problem at once', () => {
    const message = failure({
      parameters: { port: integer({ ...d, required: true, default: 1 }) },
      actions: { start: { timeout: 20, run: ok } },
    });
    expect(message).toContain('parameter port is required and has a default');
    expect(message).toContain('action stop is mandatory');
    expect(message).toContain('action monitor is mandatory');
  });
});
