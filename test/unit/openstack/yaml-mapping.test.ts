import { describe, expect, it } from 'vitest';
import { mappingAt, parseYamlMapping } from '../../../shared/openstack/yaml-mapping.ts';

describe('the clouds.yaml reader', () => {
  it('reads nested block mappings of scalars, quoted or plain, with comments', () => {
    const doc = parseYamlMapping(`---
# the operator's clouds
clouds:
  prod:
    auth:
      auth_url: "http://10.0.0.11:5000/v3"
      username: 'monitor'   # a comment
      password: "p@ss: #not a comment"
    region_name: RegionOne
    verify: false
  lab:
    auth_type: v3applicationcredential
`);
    expect(mappingAt(doc, 'clouds', 'prod', 'auth')).toEqual({
      auth_url: 'http://10.0.0.11:5000/v3',
      username: 'monitor',
      password: 'p@ss: #not a comment',
    });
    expect(mappingAt(doc, 'clouds', 'prod')?.verify).toBe('false');
    expect(mappingAt(doc, 'clouds', 'lab')).toEqual({ auth_type: 'v3applicationcredential' });
  });

  it('keeps a sequence as raw text instead of misreading it', () => {
    const doc = parseYamlMapping('clouds:\n  a:\n    regions:\n      - One\n      - Two\n    region_name: One\n');
    expect(mappingAt(doc, 'clouds', 'a')?.region_name).toBe('One');
    expect(typeof mappingAt(doc, 'clouds', 'a')?.regions).toBe('string');
  });

  it('a key without value is empty', () => {
    expect(parseYamlMapping('a:\nb: 1\n')).toEqual({ a: '', b: '1' });
  });

  it('refuses anchors and a second document with the line number', () => {
    expect(() => parseYamlMapping('a: &x 1\n')).toThrow(/line 1: anchors/);
    expect(() => parseYamlMapping('a: 1\n---\nb: 2\n')).toThrow(/line 2: several YAML documents/);
  });

  it('refuses inconsistent indentation', () => {
    expect(() => parseYamlMapping('a:\n    b: 1\n  c: 2\n')).toThrow(/line 3: unexpected indentation/);
  });
});
