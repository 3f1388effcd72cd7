// compareCodePoints orders names by Unicode code point, whatever the UTF-16
// units look like: checked against the plain definition (iterate code
// points, compare them) on edge cases and on seeded random strings full of
// surrogates, pairs and characters above the surrogate range.

import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '../../src/plan/order.js';

/** The definition: code point by code point, a lone surrogate being its own value; the shorter first on a tie. */
function byDefinition(a: string, b: string): number {
  const left = [...a].map((c) => c.codePointAt(0)!);
  const right = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return left[i]! < right[i]! ? -1 : 1;
  }
  return Math.sign(left.length - right.length);
}

describe('compareCodePoints', () => {
  it.each<[string, string]>([
    ['a', 'b'],
    ['abc', 'ab'],
    ['', 'a'],
    ['same', 'same'],
    ['\uffff', '\u{1f600}'],
    ['\ue000', '\ud83d\ude00'],
    ['\udc00', '\ud800\udc00'],
    ['\ud83d', '\ud83d\ude00'],
    ['\ud83dx', '\ud83d\ude00'],
    ['\ud83d\ude00', '\ud83d\udc00'],
    ['\ud83d\ude00', '\ud83d\ue000'],
    ['x\ud83d', 'x\ud83d\ude00'],
    ['Z', 'a'],
    ['é', 'z'],
  ])('orders %j and %j as code points do', (a, b) => {
    expect(compareCodePoints(a, b)).toBe(byDefinition(a, b));
    expect(compareCodePoints(b, a)).toBe(byDefinition(b, a));
  });

  it('orders seeded random strings of surrogates, pairs and high characters as code points do', () => {
    const units = [0x41, 0x61, 0x7a, 0xe9, 0xd7ff, 0xd800, 0xd83d, 0xdbff, 0xdc00, 0xde00, 0xdfff, 0xe000, 0xfffd, 0xffff];
    let state = 7;
    const random = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 4294967296;
    };
    const randomString = () => String.fromCharCode(...Array.from({ length: Math.floor(random() * 5) }, () => units[Math.floor(random() * units.length)]!));
    for (let i = 0; i < 20000; i++) {
      const a = randomString();
      const b = random() < 0.3 ? a + randomString() : randomString();
      expect(compareCodePoints(a, b)).toBe(byDefinition(a, b));
    }
  });
});
