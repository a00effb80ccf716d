import { describe, expect, it } from 'vitest';
import {
  boolean,
  defaultText,
  integer,
  parseValue,
  seconds,
  select,
  string,
  type ParameterDeclaration,
} from '../../../shared/ocf/parameters.ts';

const d = { shortdesc: 's', longdesc: 'l' };
const anInteger = integer(d);
const someSeconds = seconds(d);
const aBoolean = boolean(d);
const aSelect = select(['fast', 'safe'], d);
const aString = string(d);

function messageOf(name: string, decl: ParameterDeclaration, raw: string): string {
  try {
    parseValue(name, decl, raw);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(raw)} parsed`);
}

describe('declarations', () => {
  it('each builder records its type', () => {
    expect([anInteger, someSeconds, aBoolean, aSelect, aString].map((p) => p.type)).toEqual([
      'integer',
      'seconds',
      'boolean',
      'select',
      'string',
    ]);
  });

  it('select keeps its options', () => {
    expect(aSelect.options).toEqual(['fast', 'safe']);
  });

  it('a declaration keeps its flags', () => {
    const p = string({ ...d, default: 'x', unique: true, reloadable: true, monitorOnly: true, aliases: ['y'] });
    expect(p).toMatchObject({ default: 'x', unique: true, reloadable: true, monitorOnly: true, aliases: ['y'] });
  });
});

describe('string parameters', () => {
  it.each(['', 'plain', '  spaced  ', 'with "quotes"'])('a string parameter takes %j as it is', (raw) => {
    expect(parseValue('p', aString, raw)).toBe(raw);
  });
});

describe('integer parameters', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['42', 42],
    ['-7', -7],
    ['+8', 8],
    [' 3306 ', 3306],
    ['007', 7],
  ])('an integer parameter accepts %j as %i', (raw, value) => {
    expect(parseValue('port', anInteger, raw)).toBe(value);
  });

  it.each(['', 'abc', '1.5', '1e3', '12abc', '0x10', '- 1'])('an integer parameter refuses %j', (raw) => {
    expect(messageOf('port', anInteger, raw)).toBe(`parameter port expects an integer, got ${JSON.stringify(raw)}`);
  });

  it('an integer parameter refuses a value beyond the safe integer range', () => {
    expect(messageOf('port', anInteger, '99999999999999999999')).toBe(
      'parameter port expects an integer, got "99999999999999999999" (out of range)',
    );
  });
});

describe('seconds parameters', () => {
  it.each<[string, number]>([
    ['30', 30],
    ['30s', 30],
    ['30sec', 30],
    ['1second', 1],
    ['5 seconds', 5],
    ['2min', 120],
    ['2m', 120],
    ['3minutes', 180],
    ['1h', 3600],
    ['2hr', 7200],
    ['1hours', 3600],
    ['500ms', 1],
    ['1500msec', 2],
    ['0ms', 0],
    ['2MIN', 120],
    [' 45s ', 45],
  ])('a seconds parameter accepts %j as %i', (raw, value) => {
    expect(parseValue('lag', someSeconds, raw)).toBe(value);
  });

  it.each(['', 'soon', '1.5s', '-5', '10 days', '10d', 's'])('a seconds parameter refuses %j', (raw) => {
    expect(messageOf('lag', someSeconds, raw)).toBe(
      `parameter lag expects a number of seconds (e.g. 30, 30s, 2min), got ${JSON.stringify(raw)}`,
    );
  });
});

describe('boolean parameters', () => {
  it.each(['1', 'true', 'yes', 'on', 'y', 'TRUE', 'Yes', ' on '])('a boolean parameter reads %j as true', (raw) => {
    expect(parseValue('flag', aBoolean, raw)).toBe(true);
  });

  it.each(['0', 'false', 'no', 'off', 'n', 'FALSE', 'No'])('a boolean parameter reads %j as false', (raw) => {
    expect(parseValue('flag', aBoolean, raw)).toBe(false);
  });

  it.each(['', 'maybe', '2', 'enabled'])('a boolean parameter refuses %j', (raw) => {
    expect(messageOf('flag', aBoolean, raw)).toBe(`parameter flag expects a boolean (true/false, yes/no, 1/0), got ${JSON.stringify(raw)}`);
  });
});

describe('select parameters', () => {
  it.each(['fast', 'safe'])('a select parameter accepts its option %j', (raw) => {
    expect(parseValue('mode', aSelect, raw)).toBe(raw);
  });

  it.each(['', 'FAST', 'slow', ' safe'])('a select parameter refuses %j and lists the options', (raw) => {
    expect(messageOf('mode', aSelect, raw)).toBe(`parameter mode expects one of fast, safe, got ${JSON.stringify(raw)}`);
  });
});

describe('error messages', () => {
  it('name the parameter, what was expected and what was given', () => {
    const message = messageOf('replication_port', anInteger, 'three');
    expect(message).toContain('replication_port');
    expect(message).toContain('an integer');
    expect(message).toContain('"three"');
  });

  it.each<[string, ParameterDeclaration, string]>([
    ['integer', integer({ ...d, secret: true }), 'hunter2'],
    ['seconds', seconds({ ...d, secret: true }), 'hunter2'],
    ['boolean', boolean({ ...d, secret: true }), 'hunter2'],
    ['select', select(['a'], { ...d, secret: true }), 'hunter2'],
  ])('a secret %s value is never echoed', (_, decl, raw) => {
    const message = messageOf('token', decl, raw);
    expect(message).not.toContain('hunter2');
    expect(message).toContain('(secret value withheld)');
    expect(message).toContain('parameter token');
  });
});

describe('defaultText', () => {
  it.each<[string, ParameterDeclaration, string | undefined]>([
    ['no default', string(d), undefined],
    ['a string default', string({ ...d, default: '/var/lib/mysql' }), '/var/lib/mysql'],
    ['an empty default', string({ ...d, default: '' }), ''],
    ['an integer default', integer({ ...d, default: 3306 }), '3306'],
    ['a seconds default', seconds({ ...d, default: 3600 }), '3600'],
    ['a true default', boolean({ ...d, default: true }), 'true'],
    ['a false default', boolean({ ...d, default: false }), 'false'],
    ['a select default', select(['a', 'b'], { ...d, default: 'b' }), 'b'],
  ])('shows %s as %j', (_, decl, text) => {
    expect(defaultText(decl)).toBe(text);
  });
});
