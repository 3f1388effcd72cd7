// Environments end to end: one config, two servers (a staging and a
// production emulator over real loopback sockets). The same config reconciles
// both, each with its own overrides; a second plan is empty per environment;
// plans, saved plans and drift reports name their environment; a saved plan
// is never applied in another environment.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startEmulator, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { runCli, type CliRun } from '../helpers/cli.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'tok-envs-Secret-4711';
const SEED: SeedDocument = {
  users: [{ username: 'user@work.org', password: 'secret', tokens: [TOKEN] }],
  workspaces: [{ id: '7', name: 'Toy apps', publishers: ['user@work.org'] }],
  workflows: [
    { path: '/Users/1/Toy.p7wf', content: 'toy' },
    { path: '/Users/1/Beta.p7wf', content: 'beta' },
  ],
  apps: [],
};

let staging: RunningEmulator;
let production: RunningEmulator;
let dir: string;
const servers = () => ({ staging, production });

function config() {
  return {
    defaults: { workspace: 'Toy apps', allowCopy: false },
    apps: [{ name: 'Toy app', description: 'A toy app.', versions: [{ version: 1, workflow: '/Users/1/Toy.p7wf' }] }],
    environments: {
      staging: {
        server: { url: staging.url },
        defaults: { allowCopy: true },
        apps: { 'Toy app': { description: 'Staging build.', versions: [{ version: 2, workflow: '/Users/1/Beta.p7wf' }], defaultVersion: 2 } },
      },
      production: { server: { url: production.url } },
    },
  };
}

beforeEach(async () => {
  staging = await startEmulator({ seed: SEED, readyAfterMs: 0, port: 0 });
  production = await startEmulator({ seed: SEED, readyAfterMs: 0, port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-envs-'));
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify(config()));
});

afterEach(async () => {
  await staging.close();
  await production.close();
  await rm(dir, { recursive: true, force: true });
});

/** Credentials only: each environment's server comes from the config. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runCli(args, { cwd: dir, env: { P7APPS_TOKEN: TOKEN, ...env } });
}

const publishes = (emulator: RunningEmulator) => emulator.counts()['POST apps/'] ?? 0;

describe('one config, two environments', () => {
  it.each([
    ['staging', ['--env', 'staging'], {}],
    ['production', ['--env', 'production'], {}],
    ['staging', [], { P7APPS_ENV: 'staging' }],
  ] as const)('applies %s (chosen by %j %j) to its own server only, and a second plan is empty', async (name, flags, env) => {
    const other = name === 'staging' ? production : staging;
    const applied = await cli(['apply', '--auto-approve', ...flags], env);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`p7apps plan for ${servers()[name].url} (environment ${name})`);
    expect(publishes(servers()[name])).toBeGreaterThan(0);
    expect(other.requestLog()).toEqual([]);

    const again = await cli(['plan', ...flags], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes for 1 app');
  });

  it('reconciles both servers from the same config, each with its own overrides', async () => {
    for (const name of ['staging', 'production']) expect((await cli(['apply', '--auto-approve', '--env', name])).code).toBe(0);
    const toy = (emulator: RunningEmulator) => emulator.snapshot().apps.find((app) => app.name === 'Toy app');
    expect(toy(staging)).toMatchObject({ description: 'Staging build.', allowCopy: true });
    expect(toy(staging)?.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(toy(production)).toMatchObject({ description: 'A toy app.', allowCopy: false });
    expect(toy(production)?.versions.map((v) => v.version)).toEqual([1]);
    for (const name of ['staging', 'production']) expect((await cli(['plan', '--env', name])).code).toBe(0);
  });

  it('refuses to plan without an environment, naming the choices, before any request', async () => {
    const run = await cli(['plan']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('declares environments ("staging", "production"): choose one with --env NAME or P7APPS_ENV');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect([...staging.requestLog(), ...production.requestLog()]).toEqual([]);
  });

  it.each([
    [['--env', 'prod'], {}, '--env "prod": no such environment in'],
    [[], { P7APPS_ENV: 'qa' }, 'P7APPS_ENV "qa": no such environment in'],
  ])('refuses an unknown environment %j %j, listing the known ones', async (flags, env, message) => {
    const run = await cli(['plan', ...flags], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('The config declares: "staging", "production".');
  });

  it('names the environment in the plan in every format', async () => {
    const human = await cli(['plan', '--env', 'production']);
    expect(human.stdout.split('\n')[0]).toBe(`p7apps plan for ${production.url} (environment production)`);
    const markdown = await cli(['plan', '--env', 'production', '--format', 'markdown']);
    expect(markdown.stdout).toMatch(/^## p7apps plan: production\n/);
    expect(markdown.stdout).toContain('Environment `production`, server');
    const json = await cli(['plan', '--env', 'production', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'p7apps-plan', environment: 'production', serverUrl: production.url });
  });

  it.each([
    ['a fresh plan', async () => cli(['apply', '--auto-approve', '--env', 'staging', '--format', 'json'])],
    ['a saved plan', async () => (await cli(['plan', '--env', 'staging', '--out', 'plan.json']), cli(['apply', 'plan.json', '--format', 'json']))],
  ])('names the environment in the JSON events of apply, from %s: apply-start and apply-done', async (_name, apply) => {
    const run = await apply();
    expect(run.code).toBe(0);
    const events = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; environment?: string });
    const named = events.filter((e) => e.environment !== undefined).map((e) => [e.type, e.environment]);
    expect(named).toEqual([
      ['apply-start', 'staging'],
      ['apply-done', 'staging'],
    ]);
  });

  it('reports drift per environment', async () => {
    for (const name of ['staging', 'production']) expect((await cli(['apply', '--auto-approve', '--env', name])).code).toBe(0);
    production.driftApp('Toy app', { description: 'Edited by hand.' });
    const inProduction = await cli(['drift', '--env', 'production', '--format', 'json']);
    expect(inProduction.code).toBe(2);
    expect(JSON.parse(inProduction.stdout)).toMatchObject({ environment: 'production', drift: true, summary: { drifted: 1 } });
    const inStaging = await cli(['drift', '--env', 'staging']);
    expect(inStaging.code).toBe(0);
    expect(inStaging.stdout.split('\n')[0]).toBe(`p7apps drift for ${staging.url} (environment staging)`);
  });
});

describe('a saved plan keeps its environment', () => {
  async function savedStagingPlan(): Promise<void> {
    const run = await cli(['plan', '--env', 'staging', '--out', 'plan.json']);
    expect(run.code).toBe(2);
    const document = JSON.parse(await readFile(path.join(dir, 'plan.json'), 'utf8')) as Record<string, unknown>;
    expect(document).toMatchObject({ environment: 'staging', serverUrl: staging.url });
  }

  it.each([
    [['--env', 'production'], {}, '--env chooses "production"'],
    [[], { P7APPS_ENV: 'production' }, 'P7APPS_ENV chooses "production"'],
  ])('is refused when %j %j chooses another environment, before any request', async (flags, env, says) => {
    await savedStagingPlan();
    staging.clearLog();
    const run = await cli(['apply', 'plan.json', ...flags], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('was made for environment staging, but');
    expect(run.stderr).toContain(says);
    expect([...staging.requestLog(), ...production.requestLog()]).toEqual([]);
  });

  it('is applied in its own environment without --env, then the environment plans empty', async () => {
    await savedStagingPlan();
    const run = await cli(['apply', 'plan.json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(production.requestLog()).toEqual([]);
    expect((await cli(['plan', '--env', 'staging'])).code).toBe(0);
    expect((await cli(['plan', '--env', 'production'])).code).toBe(2);
  });

  it('is shown with its environment', async () => {
    await savedStagingPlan();
    const shown = await cli(['show', 'plan.json', '--format', 'markdown']);
    expect(shown.stdout).toMatch(/^## p7apps plan: staging\n/);
  });
});

describe('the server of an environment', () => {
  it('is not redirected by P7APPS_URL: that is an error before any request', async () => {
    const run = await cli(['plan', '--env', 'staging'], { P7APPS_URL: production.url });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`P7APPS_URL points to ${production.url}, but environment staging declares its server ${staging.url}`);
    expect([...staging.requestLog(), ...production.requestLog()]).toEqual([]);
  });

  it('is overridden by --server for one run, with a warning', async () => {
    const run = await cli(['plan', '--env', 'staging', '--server', production.url]);
    expect(run.stderr).toContain(`Warning: --server ${production.url} overrides ${staging.url}, the server of environment staging`);
    expect(run.stdout.split('\n')[0]).toBe(`p7apps plan for ${production.url} (environment staging)`);
    expect(staging.requestLog()).toEqual([]);
  });

  it('may equal P7APPS_URL', async () => {
    const run = await cli(['plan', '--env', 'staging'], { P7APPS_URL: `${staging.url}/` });
    expect(run.code).toBe(2);
  });
});

describe('hostile input', () => {
  it('an --env with control characters is refused, escaped', async () => {
    const run = await cli(['plan', '--env', 'prod\u001b[31m\u202e']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no such environment');
    expect(run.stderr).not.toMatch(/[\u001b\u202e]/);
  });

  it('a saved plan whose environment was edited to hold control characters is refused', async () => {
    expect((await cli(['plan', '--env', 'staging', '--out', 'plan.json'])).code).toBe(2);
    const file = path.join(dir, 'plan.json');
    const document = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...document, environment: 'staging\u202e' }));
    const run = await cli(['show', 'plan.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is not a valid p7apps plan: at environment');
  });
});

describe('p7apps doctor --env', () => {
  it('probes the chosen environment\'s server', async () => {
    const run = await cli(['doctor', '--env', 'production', '--format', 'json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ server: { signInUrl: production.url } });
    expect(staging.requestLog()).toEqual([]);
  });
});

describe('p7apps validate with environments', () => {
  it('checks every environment when none is chosen, and one when chosen', async () => {
    const all = await cli(['validate']);
    expect(all.code).toBe(0);
    expect(all.stdout).toBe(
      'Valid: environment staging: 1 app, 2 versions, 1 workspace (p7apps.config.json)\nValid: environment production: 1 app, 1 version, 1 workspace (p7apps.config.json)\n',
    );
    const one = await cli(['validate', '--env', 'production']);
    expect(one.stdout).toBe('Valid: environment production: 1 app, 1 version, 1 workspace (p7apps.config.json)\n');
  });

  it('names the environment and the place of a problem', async () => {
    const broken = config();
    (broken.environments.production as Record<string, unknown>).apps = { 'Toy app': { description: 42 } };
    await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify(broken));
    const run = await cli(['validate']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('p7apps.config.json: environments.production.apps["Toy app"].description: expected a string, got the number 42');
  });
});

describe('the shipped examples', () => {
  it('the environments example validates in each environment, with its own server and overrides', async () => {
    const run = await runCli(['validate', '--config', 'examples/environments/p7apps.config.yaml'], { cwd: REPO, env: {} });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      'Valid: environment staging: 2 apps, 3 versions, 2 workspaces (examples/environments/p7apps.config.yaml)\n' +
        'Valid: environment production: 2 apps, 2 versions, 2 workspaces (examples/environments/p7apps.config.yaml)\n',
    );
  });

  it('the GitHub recipe applies staging, then production after its environment\'s approval, each from a plan it shows', async () => {
    const recipe = parse(await readFile(path.join(REPO, 'examples/ci/github-environments.yml'), 'utf8')) as {
      jobs: Record<string, { environment?: string; needs?: string; env?: Record<string, string>; steps: { run?: string }[] }>;
    };
    const { 'apply-staging': first, 'apply-production': second } = recipe.jobs;
    expect([first?.environment, first?.env?.P7APPS_ENV]).toEqual(['staging', 'staging']);
    expect([second?.environment, second?.env?.P7APPS_ENV, second?.needs]).toEqual(['production', 'production', 'apply-staging']);
    for (const job of [first!, second!]) {
      const runs = job.steps.map((step) => step.run ?? '');
      const planned = runs.findIndex((run) => run.includes('p7apps plan') && run.includes('--out plan.json'));
      const applied = runs.findIndex((run) => run.includes('p7apps apply plan.json'));
      expect(planned).toBeGreaterThanOrEqual(0);
      expect(applied).toBeGreaterThan(planned);
    }
    expect(JSON.stringify(recipe)).not.toContain('P7APPS_URL:');
  });
});
