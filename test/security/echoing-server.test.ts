// A server that echoes the token (and the password) in every text field it
// returns: app and workspace names, descriptions, workflow paths, states,
// state details, error details. p7apps must print and write neither, in any
// format (plan, drift, saved plans, job summaries, errors), and import must
// refuse to write a config holding them, saying where they were. A password
// full of characters the output formats escape checks each escaped form.
// Everything captured is grepped by the last test.

import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../helpers/cli.js';
import { SECRET_PASSWORD, SECRET_TOKEN, STACK_LINE, Sweep } from './sweep.js';
import { startTextWorld, type TextFront, type TextWorld } from './text-front.js';

const USER = 'release-bot@work.org';
const OTHER_USER = 'escaper@work.org';
/** A password with what Markdown, HTML, XML and terminals escape: found in each escaped form or not at all. */
const ESCAPED_PASSWORD = 'p7_sec*PASS<w\u202eord>&[1]|`x';
const OTHER_TOKEN = 'p7sec-OTHERTOKEN-a81c5e0f29';

const sweep = new Sweep();
let front: TextFront;
let dir: string;
let world: TextWorld;

beforeAll(async () => {
  world = await startTextWorld([
    { username: USER, password: SECRET_PASSWORD, tokens: [SECRET_TOKEN] },
    { username: OTHER_USER, password: ESCAPED_PASSWORD, tokens: [OTHER_TOKEN] },
  ]);
  ({ front, dir } = world);
});

afterAll(() => world.close());

const SIGN_INS: [string, () => NodeJS.ProcessEnv, string][] = [
  ['P7APPS_TOKEN', () => ({ P7APPS_URL: front.url, P7APPS_TOKEN: SECRET_TOKEN }), ` Token ${SECRET_TOKEN}`],
  ['P7APPS_USERNAME and P7APPS_PASSWORD', () => ({ P7APPS_URL: front.url, P7APPS_USERNAME: USER, P7APPS_PASSWORD: SECRET_PASSWORD }), ` ${SECRET_TOKEN} / ${SECRET_PASSWORD}`],
  ['a password the formats escape', () => ({ P7APPS_URL: front.url, P7APPS_USERNAME: OTHER_USER, P7APPS_PASSWORD: ESCAPED_PASSWORD }), ` ${OTHER_TOKEN}: ${ESCAPED_PASSWORD}`],
];

async function cli(label: string, args: string[], env: NodeJS.ProcessEnv, cwd = dir): Promise<CliRun> {
  const run = sweep.addRun(label, await runCli(args, { cwd, env: { ...env, GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md') } }));
  expect(run.stderr, label).not.toMatch(STACK_LINE);
  return run;
}

describe.each(SIGN_INS)('a server that echoes the secrets of %s in every field', (how, env, echo) => {
  it('plan and drift print and save neither, in any format', async () => {
    front.suffix = echo;
    try {
      for (const format of ['human', 'json', 'markdown']) {
        const run = await cli(`${how} plan ${format}`, ['plan', '--format', format, '--verbose'], env());
        expect(run.code, run.stderr).toBe(2);
        expect(run.stdout).toContain('[REDACTED]');
      }
      expect((await cli(`${how} plan --out`, ['plan', '--out', 'plan.json'], env())).code).toBe(2);
      await sweep.addFiles(`${how} saved plan`, path.join(dir, 'plan.json'));
      for (const format of ['human', 'markdown', 'json', 'junit']) {
        const run = await cli(`${how} drift ${format}`, ['drift', '--format', format, '--verbose', '--fail-on-unmanaged'], env());
        expect(run.code, run.stderr).toBe(2);
        expect(run.stdout).toContain('[REDACTED]');
      }
      await sweep.addFiles(`${how} step summary`, path.join(dir, 'summary.md'));
    } finally {
      front.suffix = '';
    }
  });

  it('an error whose detail echoes them shows neither', async () => {
    front.errorDetail = `bad request from${echo}`;
    try {
      const run = await cli(`${how} error`, ['drift'], env());
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^Error: 400 Bad Request on GET workflows\/: bad request from .*\[REDACTED\]/);
    } finally {
      front.errorDetail = undefined;
    }
  });

  it('import refuses to write a config holding them, names where they were, and writes nothing', async () => {
    front.suffix = echo;
    const out = await mkdtemp(path.join(tmpdir(), 'p7apps-echo-import-'));
    try {
      const run = await cli(`${how} import`, ['import', '--format', 'yaml'], env(), out);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/the server's catalog holds the token or password, which must not go into a config; nothing was written/);
      for (const place of ['the app with id "[^"]+": name', 'workspace name', 'description', 'version 1 workflow path']) expect(run.stderr).toMatch(new RegExp(place));
      expect(await readdir(out)).toEqual([]);
      expect(existsSync(path.join(out, 'p7apps.config.yaml'))).toBe(false);
    } finally {
      front.suffix = '';
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe('secrets given where they do not belong', () => {
  it.each([
    ['a --server query', ['plan', '--server', `http://127.0.0.1:1/?token=${SECRET_TOKEN}`]],
    ['a --server fragment', ['plan', '--server', `http://127.0.0.1:1/#${SECRET_TOKEN}`]],
    ['a --server password', ['drift', '--server', `http://u:${encodeURIComponent(SECRET_PASSWORD)}@127.0.0.1:1/`]],
    ['a --server that does not parse', ['plan', '--server', `http://127.0.0.1:1:2/?token=${SECRET_TOKEN}`]],
  ])('%s is refused without being shown', async (what, args) => {
    // No secret in the environment: the URL's own text must not be echoed.
    const run = await cli(`in ${what}`, args, { P7APPS_TOKEN: 'p7-unrelated-token' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--server/);
  });
});

it('leaves the token and the password in no byte captured above', async () => {
  expect(sweep.size.items).toBeGreaterThan(40);
  expect(sweep.leaks([SECRET_TOKEN, SECRET_PASSWORD, OTHER_TOKEN, ESCAPED_PASSWORD])).toEqual([]);
});
