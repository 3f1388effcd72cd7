// One bad config per rule, each with the exact place and message the user
// sees; every problem of a file is reported at once.

import { describe, expect, it } from 'vitest';
import { MAX_APP_NAME_LENGTH, MAX_APPS, MAX_DESCRIPTION_LENGTH } from '../../src/config/schema.js';
import { loadConfig } from '../../src/config/load.js';
import { configError, issueLines, makeProject } from './project.js';

const flow = (version: number, workflow = `/Users/1/Flow${version}.p7wf`) => ({ version, workflow });
const toy = (extra: Record<string, unknown> = {}) => ({ name: 'Toy app', workspace: 'Toy apps', versions: [flow(1)], ...extra });

async function problems(config: unknown): Promise<string[]> {
  const cwd = await makeProject({ 'p7apps.config.json': typeof config === 'string' ? config : JSON.stringify(config) });
  return issueLines(await configError({ cwd }));
}

/** JSON text nested `depth` levels deep (built as text: serialising such a value would overflow the stack). */
const nestedLists = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const nestedObjects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('a config that breaks one rule gets one exact message', () => {
  it.each<[string, unknown, string[]]>([
    ['an unknown key close to a known one', { apps: [toy({ alowCopy: true })] }, ['apps["Toy app"].alowCopy: unknown key; did you mean "allowCopy"?']],
    ['a misspelt required key', { apps: [toy({ versions: [{ version: 1, wokflow: '/Users/1/F.p7wf' }] })] }, [
      'apps["Toy app"].versions[0].wokflow: unknown key; did you mean "workflow"?',
    ]],
    ['a missing required key', { apps: [toy({ versions: [{ version: 1 }] })] }, [
      'apps["Toy app"].versions[0].workflow: required: the absolute workflow path it is published from, like /Users/1/Flow.p7wf',
    ]],
    ['the wire name of a setting', { apps: [toy({ allow_get_as_workflow: false })] }, ['apps["Toy app"].allow_get_as_workflow: unknown key; did you mean "allowCopy"?']],
    ['an unknown key like nothing known', { colour: 'blue', apps: [] }, ['colour: unknown key; expected one of: $schema, server, strict, defaults, safety, apps']],
    ['an unknown key in a workspace', { apps: [toy({ workspace: { nam: 'Toy apps' } })] }, ['apps["Toy app"].workspace.nam: unknown key; did you mean "name"?']],
    ['a workspace with neither name nor id', { apps: [toy({ workspace: {} })] }, [
      'apps["Toy app"].workspace: give the workspace\'s name, its id, or both: { name: "Toy apps", id: "7" }',
    ]],
    ['a name that is not a string', { apps: [toy({ name: 7 })] }, ['apps[0].name: expected a string, got the number 7']],
    ['versions that are not a list', { apps: [toy({ versions: { version: 1 } })] }, ['apps["Toy app"].versions: expected a list, got an object']],
    ['an app that is not an object', { apps: ['Toy app'] }, ['apps[0]: expected an object, got a string']],
    ['a config that is a list', [toy()], [': expected the config to be an object with an "apps" list, got a list']],
    ['no apps list', { defaults: { workspace: 'Toy apps' } }, ['apps: required: list the apps to manage (an empty list is allowed)']],
    ['an app without a name', { apps: [{ workspace: 'Toy apps', versions: [flow(1)] }] }, ['apps[0].name: required: every app needs a name']],
    ['two apps with one name', { apps: [toy(), toy({ versions: [flow(2)] })] }, ['apps[1].name: duplicate app name "Toy app": it is also declared at apps[0]']],
    ['a version number declared twice', { apps: [toy({ versions: [flow(1), flow(2), flow(1, '/Users/1/Other.p7wf')] })] }, [
      'apps["Toy app"].versions[2].version: version 1 is declared twice (also at versions[0])',
    ]],
    ['version 0', { apps: [toy({ versions: [flow(0)] })] }, ['apps["Toy app"].versions[0].version: a version number must be a positive whole number']],
    ['a negative version', { apps: [toy({ versions: [flow(-2)] })] }, ['apps["Toy app"].versions[0].version: a version number must be a positive whole number']],
    ['a fractional version', { apps: [toy({ versions: [flow(1.5)] })] }, ['apps["Toy app"].versions[0].version: a version number must be a positive whole number']],
    ['a quoted version number', { apps: [toy({ versions: [{ version: '2', workflow: '/Users/1/F.p7wf' }] })] }, [
      'apps["Toy app"].versions[0].version: expected a number, got a string: write 2 without quotes',
    ]],
    ['a version beyond the server\'s integers', { apps: [toy({ versions: [flow(2 ** 31)] })] }, ['apps["Toy app"].versions[0].version: a version number must be at most 2147483647']],
    ['a version beyond exact integers (1e20)', { apps: [toy({ versions: [flow(1e20)] })] }, ['apps["Toy app"].versions[0].version: a version number must be at most 2147483647']],
    ['a default version beyond exact integers', { apps: [toy({ versions: [flow(1)], defaultVersion: 2 ** 60 })] }, ['apps["Toy app"].defaultVersion: the default version must be at most 2147483647']],
    ['no versions', { apps: [toy({ versions: [] })] }, ['apps["Toy app"].versions: declare at least one version: an app exists only by publishing a workflow']],
    ['a default version that is not declared', { apps: [toy({ versions: [flow(1), flow(2)], defaultVersion: 3 })] }, [
      'apps["Toy app"].defaultVersion: version 3 is not among the declared versions (1, 2); declare it or pick one of those',
    ]],
    ['no workspace, here or in defaults', { apps: [{ name: 'Toy app', versions: [flow(1)] }] }, [
      'apps["Toy app"].workspace: required: name the workspace that hosts the app, here or in defaults.workspace',
    ]],
    ['a workspace id that is a number', { apps: [toy({ workspace: { id: 7 } })] }, ['apps["Toy app"].workspace.id: workspace ids are strings: write "7" in quotes']],
    ['a workspace that is a number', { apps: [toy({ workspace: 7 })] }, [
      'apps["Toy app"].workspace: expected a workspace name or { name, id }, got the number 7; a workspace id goes in { id: "7" } (ids are strings)',
    ]],
    ['a default workspace id that is a number', { defaults: { workspace: { name: 'Toy apps', id: 7 } }, apps: [{ name: 'Toy app', versions: [flow(1)] }] }, [
      'defaults.workspace.id: workspace ids are strings: write "7" in quotes',
    ]],
    ['an empty workspace name', { apps: [toy({ workspace: '' })] }, ['apps["Toy app"].workspace: a workspace name must not be empty']],
    ['one workspace name with two ids', { apps: [toy({ workspace: { name: 'Toy apps', id: '7' } }), { name: 'B', workspace: { name: 'Toy apps', id: '8' }, versions: [flow(1)] }] }, [
      'apps["B"].workspace.id: workspace "Toy apps" has id "7" elsewhere in this file; one workspace has one id',
    ]],
    ['a relative workflow path', { apps: [toy({ versions: [flow(1), flow(2, 'Flow.p7wf')] })] }, [
      'apps["Toy app"].versions[1].workflow: expected an absolute workflow path like /Users/1/Flow.p7wf',
    ]],
    ['a workflow path that is not a workflow', { apps: [toy({ versions: [flow(1, '/Users/1/Flow')] })] }, [
      'apps["Toy app"].versions[0].workflow: expected a workflow path ending in .p7wf, like /Users/1/Flow.p7wf',
    ]],
    ['a workflow path with ..', { apps: [toy({ versions: [flow(1, '/Users/1/../2/Flow.p7wf')] })] }, [
      'apps["Toy app"].versions[0].workflow: the workflow path must not contain empty, "." or ".." segments',
    ]],
    ['description and descriptionFile together', { apps: [toy({ description: 'Hi', descriptionFile: 'APP.md' })] }, [
      'apps["Toy app"].descriptionFile: set either description or descriptionFile, not both',
    ]],
    ['an empty app name', { apps: [toy({ name: '' })] }, ['apps[0].name: an app name must not be empty']],
    ['an app name too long', { apps: [toy({ name: 'x'.repeat(MAX_APP_NAME_LENGTH + 1) })] }, [
      `apps["${'x'.repeat(64)}…"].name: an app name is too long (at most 200 characters)`,
    ]],
    ['an app name with a line break', { apps: [toy({ name: 'Toy\napp' })] }, [
      'apps["Toy\\napp"].name: an app name must not contain control characters (tabs, line breaks and the like)',
    ]],
    ['an app name with a leading space', { apps: [toy({ name: ' Toy app' })] }, ['apps[" Toy app"].name: an app name must not start or end with whitespace']],
    ['copy permission as a string', { apps: [toy({ allowCopy: 'false' })] }, ['apps["Toy app"].allowCopy: expected true or false, got a string: write false without quotes']],
    ['a description too long', { apps: [toy({ description: 'd'.repeat(MAX_DESCRIPTION_LENGTH + 1) })] }, [
      'apps["Toy app"].description: the description is too long (at most 65536 characters)',
    ]],
    ['a republish percentage above 100', { safety: { maxRepublishPercent: 150 }, apps: [] }, ['safety.maxRepublishPercent: maxRepublishPercent must be a percentage from 0 to 100 (100 turns the guard off)']],
    ['a negative republish percentage', { safety: { maxRepublishPercent: -1 }, apps: [] }, ['safety.maxRepublishPercent: maxRepublishPercent must be a percentage from 0 to 100']],
    ['a republish percentage as a string', { safety: { maxRepublishPercent: '30%' }, apps: [] }, ['safety.maxRepublishPercent: expected a number, got a string']],
    ['a fractional app limit', { safety: { maxRepublishApps: 2.5 }, apps: [] }, ['safety.maxRepublishApps: maxRepublishApps must be a whole number of apps']],
    ['a misspelt safety key', { safety: { maxRepublishApp: 10 }, apps: [] }, ['safety.maxRepublishApp: unknown key; did you mean "maxRepublishApps"?']],
    ['protect as a string', { apps: [toy({ protect: 'yes' })] }, ['apps["Toy app"].protect: expected true or false, got a string']],
    ['a server URL that is not http', { server: { url: 'ftp://pseven.example.com' }, apps: [] }, ['server.url: expected an http or https URL like https://pseven.example.com']],
    ['a server URL that is not a URL', { server: { url: 'pseven' }, apps: [] }, ['server.url: expected an http or https URL like https://pseven.example.com']],
    ['deep nesting where a string belongs', `{"apps": [{"name": "Toy app", "workspace": "Toy apps", "description": ${nestedLists(5000)}, "versions": [{"version": 1, "workflow": "/Users/1/F.p7wf"}]}]}`, [
      'apps["Toy app"].description: expected a string, got a list',
    ]],
    ['deep nesting under an unknown key', `{"apps": [], "extra": ${nestedObjects(5000)}}`, ['extra: unknown key; expected one of: $schema, server, strict, defaults, safety, apps']],
  ])('%s', async (_name, config, expected) => {
    expect(await problems(config)).toEqual(expected);
  });

  it('too many apps is one message, not one per app', async () => {
    const apps = Array.from({ length: MAX_APPS + 1 }, (_, i) => toy({ name: `App ${i}` }));
    expect(await problems({ apps })).toEqual(['apps: too many apps (at most 5000)']);
  });
});

describe('names AppsHub accepts as data', () => {
  it.each(['Toy app/beta', 'Toy app @ v2', '..', 'Расчёт балки', 'Beam (I-section) — v2'])('%j is a valid app name', async (name) => {
    const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify({ apps: [toy({ name })] }) });
    const desired = await loadConfig({ cwd });
    expect(desired.apps.map((app) => app.name)).toEqual([name]);
  });
});

describe('credentials in the file are refused without echoing them', () => {
  const SECRET = 'tok-4f9a8b7c6d5e';
  it.each<[string, Record<string, unknown>, string]>([
    ['server.token', { server: { url: 'https://pseven.example.com', token: SECRET } }, 'server.token'],
    ['a top-level token', { token: SECRET }, 'token'],
    ['auth', { auth: { user: 'alice', key: SECRET } }, 'auth'],
    ['a password beside an app', { apps: [toy({ password: SECRET })] }, 'apps["Toy app"].password'],
    ['an API key in defaults', { defaults: { workspace: 'Toy apps', apiKey: SECRET } }, 'defaults.apiKey'],
    ['the guide\'s environment variable name', { DA__P7__REST_AUTHTOKEN: SECRET }, 'DA__P7__REST_AUTHTOKEN'],
  ])('%s', async (_name, config, where) => {
    const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify({ apps: [], ...config }) });
    const err = await configError({ cwd });
    expect(issueLines(err)).toEqual([
      `${where}: credentials do not belong in the config file (the value is not shown); set P7APPS_TOKEN in the environment instead (or P7APPS_USERNAME and P7APPS_PASSWORD)`,
    ]);
    expect(err.message).not.toContain(SECRET);
    expect(JSON.stringify(err.issues)).not.toContain(SECRET);
  });

  it.each([`https://alice:${SECRET}@pseven.example.com`, `https://pseven.example.com/?token=${SECRET}`])('a server URL carrying credentials: %s', async (url) => {
    const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify({ server: { url }, apps: [] }) });
    const err = await configError({ cwd });
    expect(issueLines(err)).toEqual([
      'server.url: the URL must not carry a user name, password or token (the URL is not shown); credentials come from the environment: P7APPS_TOKEN, or P7APPS_USERNAME and P7APPS_PASSWORD',
    ]);
    expect(err.message).not.toContain(SECRET);
  });
});

describe('every problem at once', () => {
  it('lists them all in the order of the file, each as file: path: message', async () => {
    const cwd = await makeProject({
      'p7apps.config.yaml': [
        'apps:',
        '  - name: Toy app',
        '    workspace: { id: 7 }',
        '    alowCopy: true',
        '    versions:',
        '      - { version: 1, workflow: Flow.p7wf }',
        '  - name: Beam calculator',
        '    versions: []',
        'server: { url: "https://pseven.example.com", token: abc }',
        '',
      ].join('\n'),
    });
    const err = await configError({ cwd });
    expect(err.issues.every((issue) => issue.file === 'p7apps.config.yaml')).toBe(true);
    expect(err.message).toBe(
      [
        'the config has 6 problems:',
        '  p7apps.config.yaml: apps["Toy app"].workspace.id: workspace ids are strings: write "7" in quotes',
        '  p7apps.config.yaml: apps["Toy app"].alowCopy: unknown key; did you mean "allowCopy"?',
        '  p7apps.config.yaml: apps["Toy app"].versions[0].workflow: expected an absolute workflow path like /Users/1/Flow.p7wf',
        '  p7apps.config.yaml: apps["Beam calculator"].versions: declare at least one version: an app exists only by publishing a workflow',
        '  p7apps.config.yaml: apps["Beam calculator"].workspace: required: name the workspace that hosts the app, here or in defaults.workspace',
        '  p7apps.config.yaml: server.token: credentials do not belong in the config file (the value is not shown); set P7APPS_TOKEN in the environment instead (or P7APPS_USERNAME and P7APPS_PASSWORD)',
      ].join('\n'),
    );
  });
});
