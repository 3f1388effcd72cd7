// Environments: how an environment's overrides merge onto the config (objects
// key by key, apps by name, versions by number, anything else replaced), how
// one is chosen, and that every problem of the merged config is reported
// where the file says it, naming the environment.

import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigIssue } from '../../src/config/errors.js';
import { loadConfig, loadConfigEnvironments } from '../../src/config/load.js';
import { environmentView } from '../../src/config/environments.js';
import { UsageError } from '../../src/errors.js';
import { makeProject, PNG_BYTES } from './project.js';

const flow = (version: number, workflow = `/Users/1/Flow${version}.p7wf`) => ({ version, workflow });

const BASE = {
  server: { url: 'https://base.example.com' },
  defaults: { workspace: 'Toy apps', allowCopy: false },
  apps: [
    { name: 'Toy app', description: 'A toy app.', versions: [flow(1), flow(2)], defaultVersion: 2 },
    { name: 'Beam', workspace: { name: 'Structures', id: '12' }, versions: [flow(3)] },
  ],
};

function withEnvironments(environments: unknown, base: Record<string, unknown> = BASE): Record<string, unknown> {
  return { ...base, environments };
}

async function load(config: unknown, environment?: string) {
  const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(config), 'thumbs/staging.png': PNG_BYTES });
  return loadConfig({ cwd, ...(environment === undefined ? {} : { environment }) });
}

async function problems(config: unknown, environment?: string): Promise<string[]> {
  try {
    await load(config, environment);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((issue) => formatConfigIssue({ ...issue, file: 'cfg' }));
    throw err;
  }
  throw new Error('expected a ConfigError');
}

async function usageError(config: unknown, environment?: string): Promise<string> {
  try {
    await load(config, environment);
  } catch (err) {
    if (err instanceof UsageError) return err.message.replace(/\S*p7apps\.config\.json/g, 'cfg');
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('merging an environment onto the config', () => {
  it.each<[string, unknown, (state: Awaited<ReturnType<typeof load>>) => unknown, unknown]>([
    ['its server replaces the config\'s', { server: { url: 'https://staging.example.com' } }, (s) => [s.serverUrl, s.environmentServerUrl], ['https://staging.example.com', 'https://staging.example.com']],
    ['without a server of its own it keeps the config\'s, which P7APPS_URL may override', {}, (s) => [s.serverUrl, s.environmentServerUrl], ['https://base.example.com', undefined]],
    ['defaults merge key by key', { defaults: { allowCopy: true } }, (s) => s.apps.map((a) => [a.name, a.workspace, a.allowCopy]), [
      ['Beam', { name: 'Structures', id: '12' }, true],
      ['Toy app', { name: 'Toy apps' }, true],
    ]],
    ['an app\'s field is replaced, the others kept', { apps: { 'Toy app': { description: 'Staging build.' } } }, (s) => [s.apps[1]!.description, s.apps[1]!.defaultVersion], ['Staging build.', 2]],
    ['a version of the app is adjusted by its number', { apps: { 'Toy app': { versions: [{ version: 2, workflow: '/Users/1/Beta.p7wf' }] } } }, (s) => s.apps[1]!.versions, [
      flow(1),
      { version: 2, workflow: '/Users/1/Beta.p7wf' },
    ]],
    ['a new version number is added', { apps: { 'Toy app': { versions: [flow(3)], defaultVersion: 3 } } }, (s) => [s.apps[1]!.versions.map((v) => v.version), s.apps[1]!.defaultVersion], [[1, 2, 3], 3]],
    ['an app only this environment has is added', { apps: { Sandbox: { versions: [flow(9)] } } }, (s) => s.apps.map((a) => [a.name, a.workspace.name]), [
      ['Beam', 'Structures'],
      ['Sandbox', 'Toy apps'],
      ['Toy app', 'Toy apps'],
    ]],
    ['a workspace object replaces a workspace name', { apps: { 'Toy app': { workspace: { id: '8' } } } }, (s) => s.apps[1]!.workspace, { id: '8' }],
    ['strict is overridden like any key', { strict: true }, (s) => s.strict, true],
    ['a thumbnail path is relative to the config file', { defaults: { thumbnail: 'thumbs/staging.png' } }, (s) => s.apps.map((a) => a.thumbnail?.declaredAs), ['thumbs/staging.png', 'thumbs/staging.png']],
  ])('%s', async (_name, staging, pick, expected) => {
    const state = await load(withEnvironments({ staging, production: {} }), 'staging');
    expect(state.environment).toBe('staging');
    expect(pick(state)).toEqual(expected);
  });

  it('leaves the config itself alone: another environment sees none of the first one\'s overrides', async () => {
    const config = withEnvironments({ staging: { apps: { 'Toy app': { description: 'Staging build.' } } }, production: {} });
    const production = await load(config, 'production');
    expect(production.apps.find((a) => a.name === 'Toy app')?.description).toBe('A toy app.');
    expect(production.serverUrl).toBe('https://base.example.com');
  });

  it('is the same whatever order the environment lists its keys in', () => {
    const a = environmentView(withEnvironments({ s: { defaults: { allowCopy: true }, apps: { Beam: { allowCopy: false } }, strict: true } }), 's').value;
    const b = environmentView(withEnvironments({ s: { strict: true, apps: { Beam: { allowCopy: false } }, defaults: { allowCopy: true } } }), 's').value;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('keeps a "__proto__" key an own key instead of a prototype', () => {
    const overlay = JSON.parse('{"defaults": {"__proto__": {"polluted": true}}}') as unknown;
    const { value } = environmentView(withEnvironments({ s: overlay }), 's');
    const defaults = (value as { defaults: Record<string, unknown> }).defaults;
    expect(Object.hasOwn(defaults, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((defaults as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('choosing an environment', () => {
  it.each<[string, unknown, string | undefined, string]>([
    ['none chosen while the config declares some', withEnvironments({ staging: {}, production: {} }), undefined, 'cfg declares environments ("staging", "production"): choose one with --env NAME or P7APPS_ENV'],
    ['an unknown name, with a did-you-mean', withEnvironments({ staging: {}, production: {} }), 'prodution', '--env "prodution": no such environment in cfg; did you mean "production"?'],
    ['an unknown name like none declared', withEnvironments({ staging: {}, production: {} }), 'qa', '--env "qa": no such environment in cfg'],
    ['a name when the config declares none', BASE, 'staging', '--env "staging": cfg declares no environments'],
  ])('%s is a usage error', async (_name, config, environment, message) => {
    expect(await usageError(config, environment)).toBe(message);
  });

  it('lists the declared environments in the hint', async () => {
    const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(withEnvironments({ staging: {}, production: {} })) });
    await expect(loadConfig({ cwd, environment: 'qa', environmentSource: 'P7APPS_ENV' })).rejects.toMatchObject({
      message: expect.stringMatching(/^P7APPS_ENV "qa": no such environment/),
      hint: 'The config declares: "staging", "production".',
    });
  });

  it('uses the config as it stands when it declares no environments and none is chosen', async () => {
    const state = await load(BASE);
    expect(state.environment).toBeUndefined();
    expect(state.apps).toHaveLength(2);
  });
});

describe('a problem in an environment is reported where it is written', () => {
  it.each<[string, unknown, string[]]>([
    ['a field of the wrong type', { apps: { 'Toy app': { description: 7 } } }, ['cfg: environments.production.apps["Toy app"].description: expected a string, got the number 7']],
    ['an unknown key in an app, with a did-you-mean', { apps: { Beam: { descriptoin: 'x' } } }, ['cfg: environments.production.apps.Beam.descriptoin: unknown key; did you mean "description"?']],
    ['an unknown key at the top', { sever: { url: 'https://p.example.com' } }, ['cfg: environments.production.sever: unknown key; did you mean "server"?']],
    ['a server URL that is not one', { server: { url: 'ftp://p.example.com' } }, ['cfg: environments.production.server.url: expected an http or https URL like https://pseven.example.com']],
    ['a URL carrying credentials', { server: { url: 'https://me:pw@p.example.com' } }, [
      'cfg: environments.production.server.url: the URL must not carry a user name, password or token (the URL is not shown); credentials come from the environment: P7APPS_TOKEN, or P7APPS_USERNAME and P7APPS_PASSWORD',
    ]],
    ['a token', { defaults: { token: 'abc' } }, [
      'cfg: environments.production.defaults.token: credentials do not belong in the config file (the value is not shown); set P7APPS_TOKEN in the environment instead (or P7APPS_USERNAME and P7APPS_PASSWORD)',
    ]],
    ['a new version without a workflow', { apps: { 'Toy app': { versions: [{ version: 5 }] } } }, [
      'cfg: environments.production.apps["Toy app"].versions[0].workflow: required: the absolute workflow path it is published from, like /Users/1/Flow.p7wf',
    ]],
    ['an adjusted version with a bad workflow', { apps: { 'Toy app': { versions: [{ version: 2, workflow: 'Flow.p7wf' }] } } }, [
      'cfg: environments.production.apps["Toy app"].versions[0].workflow: expected an absolute workflow path like /Users/1/Flow.p7wf',
    ]],
    ['a default version the merged app does not declare', { apps: { 'Toy app': { defaultVersion: 4 } } }, [
      'cfg: environments.production.apps["Toy app"].defaultVersion: version 4 is not among the declared versions (1, 2); declare it or pick one of those',
    ]],
    ['a missing thumbnail', { defaults: { thumbnail: 'thumbs/nope.png' } }, [expect.stringMatching(/^cfg: environments\.production\.defaults\.thumbnail: /) as unknown as string]],
    ['apps as a list', { apps: [{ name: 'Toy app' }] }, [
      'cfg: environments.production.apps: in an environment, apps is an object keyed by app name, like { "Toy app": { description: "..." } }; got a list',
    ]],
    ['an app the config lacks, without versions', { apps: { 'Toy ap': { description: 'x' } } }, [
      'cfg: environments.production.apps["Toy ap"]: no app named "Toy ap" in apps (did you mean "Toy app"?); an environment adjusts the apps the config declares, or adds one when it gives its versions',
    ]],
    ['renaming an app', { apps: { Beam: { name: 'Girder' } } }, ['cfg: environments.production.apps.Beam.name: the app is named by its key here; an environment cannot rename an app']],
    ['a nested environments key', { environments: {} }, ['cfg: environments.production.environments: environments do not nest']],
    ['an environment that is not an object', 'prod', ['cfg: environments.production: expected an object of overrides (server, defaults, apps, ...), got a string']],
  ])('%s', async (_name, production, expected) => {
    expect(await problems(withEnvironments({ staging: {}, production }), 'production')).toEqual(expected);
  });

  it('reports a field an added app lacks in the environment', async () => {
    const config = withEnvironments({ production: { apps: { Sandbox: { versions: [flow(1)] } } } }, { apps: [] });
    expect(await problems(config, 'production')).toEqual([
      'cfg: environments.production.apps.Sandbox.workspace: required: name the workspace that hosts the app, here or in defaults.workspace',
    ]);
  });

  it('names the environment for a problem of the config itself that shows in it', async () => {
    const base = { ...BASE, defaults: undefined };
    const lines = await problems(withEnvironments({ staging: { defaults: { workspace: 'Toy apps' } }, production: {} }, base), 'production');
    expect(lines).toEqual(['cfg: apps["Toy app"].workspace: required: name the workspace that hosts the app, here or in defaults.workspace (in environment production)']);
  });

  it.each<[string, unknown, string]>([
    ['environments that are a list', [], 'cfg: environments: expected an object of environments by name, like { staging: { server: { url: "..." } }, production: { ... } }, got a list'],
    ['a name with a space', { 'my env': {} }, 'cfg: environments["my env"]: an environment name is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit'],
  ])('refuses %s', async (_name, environments, expected) => {
    expect(await problems(withEnvironments(environments))).toEqual([expected]);
  });
});

describe('validating every environment at once', () => {
  it('resolves each environment when all are valid', async () => {
    const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(withEnvironments({ staging: { server: { url: 'https://s.example.com' } }, production: {} })) });
    const states = await loadConfigEnvironments({ cwd });
    expect(states.map((s) => [s.environment, s.serverUrl])).toEqual([
      ['staging', 'https://s.example.com'],
      ['production', 'https://base.example.com'],
    ]);
  });

  it('reports each problem once, naming the environments it shows in only when not all', async () => {
    const base = { ...BASE, defaults: undefined, apps: [{ name: 'Toy app', versions: [flow(1)], description: 5 }] };
    const cwd = await makeProject({
      'p7apps.config.json': JSON.stringify(
        withEnvironments({ a: { defaults: { workspace: 'W' } }, b: {}, c: { apps: { 'Toy app': { allowCopy: 'yes' } } } }, base),
      ),
    });
    const err = await loadConfigEnvironments({ cwd }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((issue) => formatConfigIssue({ ...issue, file: 'cfg' }))).toEqual([
      'cfg: apps["Toy app"].description: expected a string, got the number 5',
      'cfg: apps["Toy app"].workspace: required: name the workspace that hosts the app, here or in defaults.workspace (in environments b, c)',
      'cfg: environments.c.apps["Toy app"].allowCopy: expected true or false, got a string',
    ]);
  });
});

describe('the JSON Schema', () => {
  it('describes environments: named, each with the config\'s keys optional and apps keyed by name', async () => {
    const { configJsonSchema } = await import('../../src/config/json-schema.js');
    const schema = configJsonSchema() as { properties: Record<string, any> };
    const environments = schema.properties.environments;
    expect(environments.type).toBe('object');
    expect(environments.propertyNames.pattern).toBe('^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$');
    const environment = environments.additionalProperties;
    expect(environment.additionalProperties).toBe(false);
    expect(environment.required ?? []).toEqual([]);
    expect(Object.keys(environment.properties)).toEqual(expect.arrayContaining(['server', 'strict', 'defaults', 'apps']));
    expect(Object.keys(environment.properties)).not.toContain('$schema');
    const app = environment.properties.apps.additionalProperties;
    expect(app.required ?? []).toEqual([]);
    expect(Object.keys(app.properties)).not.toContain('name');
    expect(app.properties.versions.items.required).toEqual(['version']);
  });
});
