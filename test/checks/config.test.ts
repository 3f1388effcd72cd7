// Checks in the config: each mistake gets one exact message at its place, and
// a valid config resolves to the checks each version must pass (its own, else
// the app's), with defaults filled in and names sorted.

import { describe, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/config/resolve.js';
import { configError, issueLines, makeProject } from '../config/project.js';

const flow = (version: number, extra: Record<string, unknown> = {}) => ({ version, workflow: `/Users/1/Flow${version}.p7wf`, ...extra });
const toy = (extra: Record<string, unknown> = {}) => ({ name: 'Toy app', workspace: 'Toy apps', versions: [flow(1)], ...extra });
const withChecks = (...checks: unknown[]) => ({ apps: [toy({ checks })] });

async function problems(config: unknown): Promise<string[]> {
  const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(config) });
  return issueLines(await configError({ cwd }));
}

describe('a check that breaks one rule gets one exact message', () => {
  it.each<[string, unknown, string[]]>([
    ['a check without a name', withChecks({ expect: { y: 1 } }), ['apps["Toy app"].checks[0].name: required: every check needs a name']],
    ['two checks with one name', withChecks({ name: 'smoke' }, { name: 'smoke' }), [
      'apps["Toy app"].checks[1].name: duplicate check name "smoke": it is also used at checks[0]',
    ]],
    ['a misspelt key', withChecks({ name: 'smoke', expects: { y: 1 } }), ['apps["Toy app"].checks[0].expects: unknown key; did you mean "expect"?']],
    ['a list expected without equals', withChecks({ name: 'smoke', expect: { y: [1, 2] } }), [
      'apps["Toy app"].checks[0].expect.y: a list is compared with { equals: [...] }',
    ]],
    ['an object expected without equals', withChecks({ name: 'smoke', expect: { y: { a: 1 } } }), [
      'apps["Toy app"].checks[0].expect.y: an object is compared with { equals: {...} }; a number within a tolerance is { number, tolerance }',
    ]],
    ['a tolerance without its number', withChecks({ name: 'smoke', expect: { y: { tolerance: 0.1 } } }), [
      'apps["Toy app"].checks[0].expect.y: a tolerance needs the number it applies to: { number: 3.14, tolerance: 0.01 }',
    ]],
    ['a negative tolerance', withChecks({ name: 'smoke', expect: { y: { number: 1, tolerance: -0.1 } } }), [
      'apps["Toy app"].checks[0].expect.y.tolerance: a tolerance must be 0 or more',
    ]],
    ['a quoted number', withChecks({ name: 'smoke', expect: { y: { number: '1', tolerance: 0.1 } } }), [
      'apps["Toy app"].checks[0].expect.y: { number, tolerance }: the number must be a number, got a string',
    ]],
    ['an extra key beside number and tolerance', withChecks({ name: 'smoke', expect: { y: { number: 1, tolerance: 0.1, relative: true } } }), [
      'apps["Toy app"].checks[0].expect.y.relative: unknown key; expected one of: number, tolerance',
    ]],
    ['a fractional timeout', withChecks({ name: 'smoke', timeoutSeconds: 1.5 }), ['apps["Toy app"].checks[0].timeoutSeconds: the timeout must be a whole number of seconds']],
    ['a zero timeout', withChecks({ name: 'smoke', timeoutSeconds: 0 }), ['apps["Toy app"].checks[0].timeoutSeconds: the timeout must be at least 1 second']],
    ['personal as text', withChecks({ name: 'smoke', personal: 'true' }), [
      'apps["Toy app"].checks[0].personal: expected true or false, got a string: write true without quotes',
    ]],
    ['checks that are not a list', { apps: [toy({ checks: { name: 'smoke' } })] }, ['apps["Toy app"].checks: expected a list, got an object']],
    ['a version check without a name', { apps: [toy({ versions: [flow(1, { checks: [{}] })] })] }, [
      'apps["Toy app"].versions[0].checks[0].name: required: every check needs a name',
    ]],
    ['a credential-like parameter name', withChecks({ name: 'smoke', parameters: { api_token: 'x' } }), [
      'apps["Toy app"].checks[0].parameters.api_token: credentials do not belong in the config file (the value is not shown); set P7APPS_TOKEN in the environment instead (or P7APPS_USERNAME and P7APPS_PASSWORD)',
    ]],
  ])('%s', async (_name, config, expected) => {
    expect(await problems(config)).toEqual(expected);
  });
});

describe('valid checks resolve per version', () => {
  it('a version uses its own checks, else the app\'s; [] opts out; defaults are filled in and names sorted', async () => {
    const config = {
      apps: [
        toy({
          checks: [{ name: 'smoke', parameters: { 'Block/x': 2, a: 'text' }, expect: { y: 4, 'Block/z': { number: 3.14, tolerance: 0.01 }, l: { equals: [1, 2] } } }],
          versions: [flow(1), flow(2, { checks: [{ name: 'own', personal: true, timeoutSeconds: 30 }] }), flow(3, { checks: [] })],
        }),
      ],
    };
    const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(config) });
    const state = await loadDesiredState({ cwd, timeoutMs: 10_000 });
    const [v1, v2, v3] = state.apps[0]!.versions;
    expect(v1!.checks).toEqual([
      {
        name: 'smoke',
        parameters: [{ name: 'Block/x', value: 2 }, { name: 'a', value: 'text' }],
        expect: [
          { result: 'Block/z', expectation: { kind: 'near', value: 3.14, tolerance: 0.01 } },
          { result: 'l', expectation: { kind: 'equals', value: [1, 2] } },
          { result: 'y', expectation: { kind: 'equals', value: 4 } },
        ],
        timeoutMs: 600_000,
        personal: false,
      },
    ]);
    expect(v2!.checks).toEqual([{ name: 'own', parameters: [], expect: [], timeoutMs: 30_000, personal: true }]);
    expect(v3).not.toHaveProperty('checks');
  });
});
