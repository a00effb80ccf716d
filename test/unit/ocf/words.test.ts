import { describe, expect, it } from 'vitest';
import { splitWords } from '../../../shared/ocf/words.ts';

describe('splitWords', () => {
  it.each<[string, string[]]>([
    ['', []],
    ['   ', []],
    ['--skip-name-resolve', ['--skip-name-resolve']],
    ['--a --b', ['--a', '--b']],
    ['  --a \t --b\n--c  ', ['--a', '--b', '--c']],
    ['--init-file="/etc/my init.sql"', ['--init-file=/etc/my init.sql']],
    ["--x='a b' c", ['--x=a b', 'c']],
    ['"a b"c', ['a bc']],
    ['a"b c"d', ['ab cd']],
    ['""', ['']],
    ["'' x", ['', 'x']],
    ['a\\ b', ['a b']],
    ['\\"quoted\\"', ['"quoted"']],
    ['"say \\"hi\\""', ['say "hi"']],
    ['"back\\\\slash"', ['back\\slash']],
    ["'single \\n stays'", ['single \\n stays']],
    ['"it\'s"', ["it's"]],
    ['\'say "hi"\'', ['say "hi"']],
    ['trailing\\', ['trailing\\']],
    ['$HOME `id` *', ['$HOME', '`id`', '*']],
  ])('%j splits into %j', (text, words) => {
    expect(splitWords(text)).toEqual(words);
  });

  it.each<[string, string]>([
    ['"unclosed', 'unbalanced " quote'],
    ["--x='a b", "unbalanced ' quote"],
    ['ok "open \\"', 'unbalanced " quote'],
  ])('%j throws: %s', (text, message) => {
    expect(() => splitWords(text)).toThrow(new TypeError(message));
  });
});
