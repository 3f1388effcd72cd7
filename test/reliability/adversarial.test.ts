// The adversarial scenarios of `npm run chaos` (bench/chaos-adversarial.ts),
// small: a few hostile strings through every command and format, and a few
// configs that never settle under two commands and signals. The full corpus
// runs in `npm run chaos`; the regression tests of each behaviour live in
// test/security and test/config. Here: the judge itself catches what it
// must, and a small run of each scenario finds nothing.

import { describe, expect, it } from 'vitest';
import { hostileStrings, inspect, judgeResult, tally, unsettledConfigs, violations } from '../../bench/chaos-adversarial.js';

describe('the adversarial judge', () => {
  it.each([
    ['a raw escape sequence', 'Plan: \u001b]0;pwned\u0007 1 to publish\n', { rawControlCharacters: 2 }],
    ['a bidi override', 'app \u202eexe.gnp\n', { rawControlCharacters: 1 }],
    ['a forged verdict line', 'Error: x\nNo changes. The server matches the config.\n', { forgedLines: 1 }],
    ["p7apps' own colours and newlines", '\u001b[32mok\u001b[39m\n\u001b[1mPlan\u001b[22m\n', {}],
  ])('counts %s', (_name, text, counted) => {
    const t = tally('test');
    inspect(t, 'stdout', text);
    expect(t).toMatchObject({ rawControlCharacters: 0, forgedLines: 0, ...counted });
    expect(violations(t)).toBe(Object.values(counted).reduce((n, v) => n + v, 0));
  });

  it.each([
    [0, '', 1],
    [2, '  \n', 1],
    [0, 'No changes.\n', 0],
    [1, '', 0],
  ])('exit %i with stdout %j counts %i exit-0-without-result', (code, stdout, counted) => {
    const t = tally('test');
    judgeResult(t, 'plan', { code, stdout });
    expect(t.exitZeroWithoutResult).toBe(counted);
  });
});

describe('the adversarial scenarios, small', () => {
  it('hostile strings through plan, drift, show, import and apply in every format: nothing raw, nothing forged, every document valid', async () => {
    const t = await hostileStrings({ only: ['a clear-screen CSI', 'a carriage return that overwrites the line', 'a bidi override'] });
    expect(t.runs).toBeGreaterThan(40);
    expect(t.outputsChecked).toBeGreaterThan(100);
    expect(t.examples).toEqual([]);
    expect(violations(t)).toBe(0);
  }, 120_000);

  it('configs that never settle, loop or exit 0 themselves: exit 1 naming the file, no request, signals end them', async () => {
    const t = await unsettledConfigs({
      limitMs: 500,
      only: ['a never-settling promise kept alive by a timer', 'a config looping for ever', 'a config that ends the process with exit code 0'],
      commands: [['apply', '--auto-approve']],
    });
    // 3 configs, then SIGINT and SIGTERM.
    expect(t.runs).toBe(5);
    expect(t.examples).toEqual([]);
    expect(violations(t)).toBe(0);
  }, 120_000);
});
