import { describe, expect, it } from 'vitest';
import { displayWidth, fitToWidth, padEndToWidth, truncateToWidth } from '../../src/render/width.js';

describe('terminal display width', () => {
  it.each([
    ['Beam', 4],
    ['梁の計算', 8],
    ['🚀', 2],
    ['👩‍👩‍👧', 2],
    ['e\u0301', 1],
    ['', 0],
  ])('%j takes %i columns', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });

  it.each([
    ['Beam calculator', 8, 'Beam ca…'],
    ['梁の計算です', 7, '梁の計…'],
    ['梁の計算です', 6, '梁の…'],
    ['🚀🚀🚀', 4, '🚀…'],
    ['short', 10, 'short'],
    ['e\u0301e\u0301e\u0301', 2, 'e\u0301…'],
  ])('%j cut to %i columns is %j, whole graphemes only', (text, width, expected) => {
    expect(truncateToWidth(text, width)).toBe(expected);
    expect(displayWidth(truncateToWidth(text, width))).toBeLessThanOrEqual(width);
  });

  it.each([
    ['梁', 4, '梁  '],
    ['ab', 4, 'ab  '],
    ['abcdef', 4, 'abcdef'],
  ])('%j padded to %i columns is %j', (text, width, expected) => {
    expect(padEndToWidth(text, width)).toBe(expected);
  });

  it('fits to exactly the width either way', () => {
    expect(displayWidth(fitToWidth('梁の計算です', 7))).toBe(7);
    expect(displayWidth(fitToWidth('梁', 7))).toBe(7);
  });
});
