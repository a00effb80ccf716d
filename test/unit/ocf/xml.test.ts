import { describe, expect, it } from 'vitest';
import { attributes, escapeXml } from '../../../shared/ocf/xml.ts';

describe('escapeXml', () => {
  it.each<[string, string]>([
    ['plain', 'plain'],
    ['a & b', 'a &amp; b'],
    ['<tag>', '&lt;tag&gt;'],
    ['"double" \'single\'', '&quot;double&quot; &apos;single&apos;'],
    ['&amp;', '&amp;amp;'],
  ])('escapes %j as %j', (text, escaped) => {
    expect(escapeXml(text)).toBe(escaped);
  });
});

describe('attributes', () => {
  it('renders pairs in order, skipping undefined values and escaping the rest', () => {
    expect(attributes({ name: 'a"b', unique: 0, skipped: undefined, default: '<x>' })).toBe(
      ' name="a&quot;b" unique="0" default="&lt;x&gt;"',
    );
  });

  it('renders nothing for no pairs', () => {
    expect(attributes({})).toBe('');
  });
});
