// A key given twice in one object of a JSON config: JSON.parse keeps the last
// silently, so p7apps finds it (with its line) before anything trusts the value.

import { describe, expect, it } from 'vitest';
import { locateDuplicateKey } from '../../src/config/json-syntax.js';

const found = (text: string, within?: string) => locateDuplicateKey(text, JSON.parse(text), within);

describe('locateDuplicateKey', () => {
  it.each([
    ['a top-level key', '{"apps": [1],\n "apps": []}', 2, 'the key "apps" is given twice in one object (first at line 1); JSON keeps only the last, so remove one'],
    ['a key deep inside', '{"apps": [{"name": "A",\n"versions": [{"version": 1, "version": 2}]}]}', 2, 'the key "version" is given twice in one object (first at line 2); JSON keeps only the last, so remove one'],
    ['a key written once plainly and once escaped', '{"name": "A", "n\\u0061me": "B"}', 1, 'the key "name" is given twice in one object (first at line 1); JSON keeps only the last, so remove one'],
    // The quick count sees strings holding `\":` on both sides alike.
    ['a key given twice beside strings that hold a quote and a colon', '{"a": "x\\": y", "b": "\\" :",\n "a": 1}', 2, 'the key "a" is given twice in one object (first at line 1); JSON keeps only the last, so remove one'],
  ])('finds %s, with its line', (_name, text, line, message) => {
    expect(found(text)).toMatchObject({ line, message });
  });

  it.each([
    ['the same key in two objects', '{"apps": [{"name": "A"}, {"name": "B"}]}'],
    ['strings that hold a quote and a colon', '{"description": "say \\"x\\": y", "notes": ["\\" :", "\\\\\\":"]}'],
    ['a key spelled like another in another case', '{"Name": 1, "name": 2}'],
    ['no object at all', '[1, "a:b", null]'],
  ])('finds nothing in %s', (_name, text) => {
    expect(found(text)).toBeUndefined();
  });

  it('in package.json, looks only inside the "p7apps" key', () => {
    expect(found('{"scripts": {}, "scripts": {}, "p7apps": {"apps": []}}', 'p7apps')).toBeUndefined();
    expect(found('{"p7apps": {"apps": [1],\n"apps": []}}', 'p7apps')).toMatchObject({ line: 2 });
    expect(found('{"p7apps": {},\n"p7apps": {"apps": []}}', 'p7apps')).toMatchObject({ line: 2 });
  });
});
