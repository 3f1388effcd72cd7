import { describe, expect, it } from 'vitest';
import { useColor } from '../../src/cli/options.js';

describe('whether output is coloured', () => {
  it.each([
    // flag, TTY, env, expected
    [undefined, true, {}, true],
    [undefined, false, {}, false],
    [false, true, { FORCE_COLOR: '1' }, false],
    [true, false, { NO_COLOR: '1' }, true],
    [undefined, false, { FORCE_COLOR: '1' }, true],
    [undefined, false, { FORCE_COLOR: '3' }, true],
    [undefined, false, { FORCE_COLOR: 'true' }, true],
    [undefined, true, { FORCE_COLOR: '0' }, false],
    [undefined, true, { FORCE_COLOR: 'false' }, false],
    [undefined, true, { FORCE_COLOR: '' }, true],
    [undefined, true, { NO_COLOR: '1' }, false],
    [undefined, true, { NO_COLOR: '' }, true],
    [undefined, false, { FORCE_COLOR: '1', NO_COLOR: '1' }, true],
  ] as const)('--color=%s, TTY=%s, env %j: %s', (color, isTTY, env, expected) => {
    expect(useColor(color === undefined ? {} : { color }, { isTTY }, env)).toBe(expected);
  });
});
