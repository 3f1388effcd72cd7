// onWorkflowChange in a config: where it may be said (defaults, app,
// version), the message for a wrong value, and which level wins.

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { configError, issueLines, makeProject } from './project.js';

const flow = (version: number, extra: Record<string, unknown> = {}) => ({ version, workflow: `/Users/1/Flow${version}.p7wf`, ...extra });
const toy = (extra: Record<string, unknown> = {}) => ({ name: 'Toy app', workspace: 'Toy apps', versions: [flow(1)], ...extra });

async function problems(config: unknown): Promise<string[]> {
  const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(config) });
  return issueLines(await configError({ cwd }));
}

async function policies(config: unknown): Promise<Record<string, Record<number, string | undefined>>> {
  const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(config) });
  const desired = await loadConfig({ cwd });
  return Object.fromEntries(desired.apps.map((app) => [app.name, Object.fromEntries(app.versions.map((v) => [v.version, v.onWorkflowChange]))]));
}

describe('onWorkflowChange', () => {
  it.each<[string, unknown, string[]]>([
    ['a misspelt value in defaults', { defaults: { workspace: 'Toy apps', onWorkflowChange: 'reprot' }, apps: [toy({ workspace: undefined })] }, [
      'defaults.onWorkflowChange: expected "republish", "report" or "ignore", got "reprot"; did you mean "report"?',
    ]],
    ['a value like none of them', { apps: [toy({ onWorkflowChange: 'skip' })] }, ['apps["Toy app"].onWorkflowChange: expected "republish", "report" or "ignore", got "skip"']],
    ['a boolean', { apps: [toy({ onWorkflowChange: false })] }, ['apps["Toy app"].onWorkflowChange: expected "republish", "report" or "ignore" (a string), got a boolean']],
    ['a misspelt key on a version', { apps: [toy({ versions: [flow(1, { onWorkflowChanges: 'report' })] })] }, [
      'apps["Toy app"].versions[0].onWorkflowChanges: unknown key; did you mean "onWorkflowChange"?',
    ]],
    ['a value in capitals', { apps: [toy({ versions: [flow(1, { onWorkflowChange: 'Ignore' })] })] }, [
      'apps["Toy app"].versions[0].onWorkflowChange: expected "republish", "report" or "ignore", got "Ignore"; did you mean "ignore"?',
    ]],
  ])('%s', async (_name, config, expected) => {
    expect(await problems(config)).toEqual(expected);
  });

  it('the most specific level wins: version, then app, then defaults; unsaid, it is left out (republish)', async () => {
    const config = {
      defaults: { workspace: 'Toy apps', onWorkflowChange: 'report' },
      apps: [
        { name: 'Inherits', versions: [flow(1), flow(2, { onWorkflowChange: 'republish' })] },
        { name: 'Own', onWorkflowChange: 'ignore', versions: [flow(1), flow(2, { onWorkflowChange: 'report' })] },
      ],
    };
    expect(await policies(config)).toEqual({ Inherits: { 1: 'report', 2: 'republish' }, Own: { 1: 'ignore', 2: 'report' } });
    expect(await policies({ apps: [toy()] })).toEqual({ 'Toy app': { 1: undefined } });
  });

  it('leaves the field out of the desired state when no level says it, so older states compare equal', async () => {
    const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify({ apps: [toy()] }) });
    const desired = await loadConfig({ cwd });
    expect(desired.apps[0]!.versions[0]).toEqual({ version: 1, workflow: '/Users/1/Flow1.p7wf' });
  });
});
