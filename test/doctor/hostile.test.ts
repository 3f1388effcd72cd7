// The doctor through the CLI against nock-served servers: exit code 2 where
// p7apps works with limits (the report names what differs), and a hostile
// server whose strings (escape sequences, C1 controls, bidirectional
// overrides in values, field names and error pages) never reach the
// terminal raw, in either format.

import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { APP_ID, APPS, fullApp, fullVersion, fullWorkflow, PNG, SERVER, TOKEN, WORKFLOWS, type Json } from './wire-fixtures.js';
import { NOCKABLE_ENV } from '../appshub/nock-helpers.js';

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

function serve(app: Json, detail: Json, version: Json, workflow: Json) {
  nock(SERVER)
    .get(`${APPS}/apps/`)
    .reply(403, { detail: 'Authentication credentials were not provided.' })
    .get(`${APPS}/apps/`)
    .reply(200, [app])
    .get(`${WORKFLOWS}/workflows/`)
    .reply(200, [workflow])
    .get(`${APPS}/apps/${APP_ID}/`)
    .reply(200, detail)
    .get(`${APPS}/apps/${APP_ID}@1/`)
    .reply(200, version)
    .get(/\/runs\/$/)
    .times(2)
    .reply(200, [])
    .get(/thumbnail/)
    .reply(200, PNG, { 'Content-Type': 'image/png' });
}

const doctor = (format = 'human', ...flags: string[]) => runCli(['doctor', '--server', SERVER, '--format', format, ...flags], { env: { ...NOCKABLE_ENV, P7APPS_TOKEN: TOKEN } });

/** Anything a terminal would act on, or that would reorder or hide text. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

describe('exit code 2: p7apps works here, with limits', () => {
  it('names each difference and what p7apps cannot verify because of it', async () => {
    const app = fullApp({ description: undefined, allow_get_as_workflow: undefined });
    serve(app, app, fullVersion(1, { description: undefined, allow_get_as_workflow: undefined }), fullWorkflow({ fingerprint: undefined }));
    const run = await doctor();
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('  ~ A1  description: differs: the description is not reported (no `description` field)');
    expect(run.stdout).toContain('  ~ A2  copy permission: differs: the copy permission is not reported (no `allow_get_as_workflow` field)');
    expect(run.stdout).toContain('  ~ A7  workflow fingerprint: differs: workflow fingerprint not reported (no `fingerprint` field)');
    expect(run.stdout).toContain("  ~ an app's description: NOT verifiable (A1)");
    expect(run.stdout).toContain('  ~ whether a workflow was edited since its version was published: NOT verifiable (A7)');
    expect(run.stdout).toContain('  = which workflow a version was published from: verifiable');
    expect(run.stdout).toContain(
      'p7apps works with this server, with limits: it cannot verify description, copy-permission, workflow-content (A1, A2, A7).\n',
    );
  });
});

describe('a hostile server', () => {
  const nasty = '\u001b[2J\u009b31m\u202egnp.exe\u2066';

  it.each([['human'], ['json'], ['human', '--color']])('%s: its strings are escaped, never raw', async (format, ...flags) => {
    const app = fullApp({ state: nasty, [nasty]: 1 });
    // Short entries: the details carry a field (its name hostile) the list entry lacks.
    const entry = { ...app };
    delete entry[nasty];
    nock(SERVER)
      .get(`${APPS}/apps/`)
      .reply(403, { detail: nasty })
      .get(`${APPS}/apps/`)
      .reply(200, [entry])
      .get(`${WORKFLOWS}/workflows/`)
      .reply(200, [fullWorkflow({ fingerprint: nasty })])
      .get(`${APPS}/apps/${APP_ID}/`)
      .reply(200, app)
      .get(`${APPS}/apps/${APP_ID}@1/`)
      .reply(500, `<html><title>${nasty}</title></html>`, { 'Content-Type': 'text/html' })
      .get(`${APPS}/apps/${APP_ID}/runs/`)
      .reply(200, [{ id: 'r1', name: nasty, state: nasty }])
      .get(/thumbnail/)
      .reply(403, { detail: nasty });
    const run = await doctor(format, ...flags);
    expect(run.code).toBe(1);
    // With --color, the only escape sequences are the report's own colours, added after the escaping.
    const own = flags.includes('--color') ? /\u001b\[\d+m/g : /(?!)/g;
    if (flags.includes('--color')) expect(run.stdout).toMatch(own);
    expect((run.stdout + run.stderr).replace(own, '')).not.toMatch(UNSAFE);
    if (format === 'json') {
      const report = JSON.parse(run.stdout);
      // Escaped, not lost: the JSON still carries what the server sent.
      expect(report.assumptions.find((a: { id: string }) => a.id === 'A8').detail).toContain('\u009b31m\u202egnp.exe');
      expect(report.lists[0].shortEntryFields).toEqual([nasty]);
      expect(report.assumptions.find((a: { id: string }) => a.id === 'A25').detail).toContain('\u009b31m\u202egnp.exe');
    } else {
      expect(run.stdout).toContain('\\x9b31m\\u202egnp.exe');
    }
  });
});

