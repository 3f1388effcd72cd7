// The run half of the AppsHub client against nock: the exact requests it
// sends to deploy (of the default or a given version), read, list, patch,
// start, interrupt and delete a run, how it reads the answers, and how it
// resolves lost answers (a deploy found again by its name, a start or an
// interrupt read back, a DELETE retried and its 404 taken as deleted).

import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { AppsHubError } from '../../src/appshub/errors.js';
import { UNKNOWN, unreadable } from '../../src/appshub/types.js';
import { P7appsError } from '../../src/errors.js';
import { VERSION_RUNS_UNSUPPORTED_CODE, type RunRef } from '../../src/runs/types.js';
import { APPS, APP_ID, SERVER, TOKEN, rejection } from './helpers.js';
import { multipartFields, netError, requestBytes, useNockedClients } from './nock-helpers.js';

const client = useNockedClients();
const RUN_ID = 'ea51478af1c94fcea879d1bdd63faadc';
const RUN_PATH = `${APPS}/apps/${APP_ID}/runs/${RUN_ID}/`;
const RUN_URL = `${SERVER}${RUN_PATH}`;
const ref: RunRef = { appId: APP_ID, id: RUN_ID, url: RUN_URL };

/** Run details shaped as the guide shows them. */
interface RunParameterWire {
  id: string;
  name: string;
  value: { data: unknown; type?: string };
  labels: Record<string, string>;
}

function details(state: string, extra: Record<string, unknown> = {}) {
  const parameters: RunParameterWire[] = [
    { id: 'fd10fa8bafb642f29ca89542504970ae', name: 'MyFirstParameter', value: { data: 'string_value', type: 'str' }, labels: { type: 'string' } },
    { id: 'db4bc72e7a594ba9b0a7009d95013648', name: 'MySecondParameter', value: { data: 42 }, labels: { type: 'integer, real, string' } },
    { id: 'ba7236e82c9b17f242a91ec87d2a5e2d', name: 'MySecret', value: { data: null }, labels: {} },
  ];
  return {
    name: 'check-1',
    path: '/Apps/Toy app.p7wf/@Runs/#00000003.p7run',
    id: RUN_ID,
    url: RUN_URL,
    state,
    parameters,
    results: [],
    ...extra,
  };
}

describe('deploying a run', () => {
  it.each([
    ['the default version', {}, `${APPS}/apps/${APP_ID}/runs/`, [['personal', 'False']]],
    ['a named personal run', { name: 'Test personal run', personal: true }, `${APPS}/apps/${APP_ID}/runs/`, [['name', 'Test personal run'], ['personal', 'True']]],
    ['a given version (A26)', { version: 3 }, `${APPS}/apps/${APP_ID}@3/runs/`, [['personal', 'False']]],
    [
      'a given version at the URL a publish answer gave',
      { version: 3, versionUrl: `${SERVER}${APPS}/apps/${APP_ID}@3/` },
      `${APPS}/apps/${APP_ID}@3/runs/`,
      [['personal', 'False']],
    ],
  ] as const)('deploys %s with POST and multipart fields', async (_, options, path, fields) => {
    let sent: Array<[string, string | File]> = [];
    const scope = nock(SERVER)
      .post(path)
      .matchHeader('authorization', `Token ${TOKEN}`)
      .matchHeader('content-type', /^multipart\/form-data; boundary=/)
      .reply(201, async function () {
        sent = await multipartFields(this);
        return { name: '#3 (Toy app)', id: RUN_ID, url: RUN_URL, state: 'QUEUED_TO_INITIALIZE' };
      });
    const run = await client().client.deployAppRun(APP_ID, options);
    scope.done();
    expect(sent).toEqual(fields);
    expect(run).toMatchObject({ appId: APP_ID, id: RUN_ID, url: RUN_URL, state: { kind: 'known', name: 'QUEUED_TO_INITIALIZE' } });
    // The deploy answer carries no parameters: unknown, not empty.
    expect(run.parameters).toBe(UNKNOWN);
  });

  it('finds a named run after the deploy answer was lost, instead of leaving it behind', async () => {
    const scope = nock(SERVER)
      .post(`${APPS}/apps/${APP_ID}/runs/`)
      .replyWithError(netError({ code: 'ECONNRESET', message: 'socket hang up' }))
      .get(`${APPS}/apps/${APP_ID}/runs/`)
      .reply(200, [{ id: 'other', name: 'someone else', state: 'FINISHED' }, { id: RUN_ID, name: 'check-1', url: RUN_URL, state: 'CONFIGURATION' }])
      .get(RUN_PATH)
      .reply(200, details('CONFIGURATION'));
    const run = await client().client.deployAppRun(APP_ID, { name: 'check-1' });
    scope.done();
    expect(run.id).toBe(RUN_ID);
    expect(run.state).toEqual({ kind: 'known', name: 'CONFIGURATION' });
  });

  it('reports a lost deploy answer as ambiguous when no run of that name is there', async () => {
    const scope = nock(SERVER)
      .post(`${APPS}/apps/${APP_ID}/runs/`)
      .reply(502, { detail: 'Bad Gateway' })
      .get(`${APPS}/apps/${APP_ID}/runs/`)
      .reply(200, []);
    const err = await rejection(client().client.deployAppRun(APP_ID, { name: 'check-1' }));
    scope.done();
    expect(err).toBeInstanceOf(AppsHubError);
    expect(err.ambiguous).toBe(true);
    expect(err.hint).toBe('A run named "check-1" may have been deployed; list the app\'s runs to find it and delete it.');
  });

  it('finds a named run whose deploy was answered 201 with a body it cannot read (committed)', async () => {
    const scope = nock(SERVER)
      .post(`${APPS}/apps/${APP_ID}/runs/`)
      .reply(201, '<html>ok</html>', { 'Content-Type': 'text/html' })
      .get(`${APPS}/apps/${APP_ID}/runs/`)
      .reply(200, [{ id: RUN_ID, name: 'check-1', url: RUN_URL, state: 'QUEUED_TO_INITIALIZE' }])
      .get(RUN_PATH)
      .reply(200, details('QUEUED_TO_INITIALIZE'));
    const run = await client().client.deployAppRun(APP_ID, { name: 'check-1' });
    scope.done();
    expect(run.id).toBe(RUN_ID);
  });

  it('says a committed deploy of an unnamed run cannot be found again', async () => {
    nock(SERVER).post(`${APPS}/apps/${APP_ID}/runs/`).reply(201, '<html>ok</html>', { 'Content-Type': 'text/html' });
    const err = await rejection(client().client.deployAppRun(APP_ID));
    expect(err.committed).toBe(true);
    expect(err.hint).toContain('without a name');
  });

  it('sends a deploy once: a 503 is not retried (it may have been committed)', async () => {
    const scope = nock(SERVER).post(`${APPS}/apps/${APP_ID}/runs/`).reply(503, {});
    const err = await rejection(client().client.deployAppRun(APP_ID));
    scope.done();
    expect(err.status).toBe(503);
  });

  it.each([404, 405])('says the server does not run a given version when runs/ answers %i and the version is there', async (status) => {
    const scope = nock(SERVER)
      .post(`${APPS}/apps/${APP_ID}@2/runs/`)
      .reply(status, { detail: 'Not found.' })
      .get(`${APPS}/apps/${APP_ID}@2/`)
      .reply(200, { id: APP_ID, version: 2, state: 'READY' });
    const err = await rejection(client().client.deployAppRun(APP_ID, { version: 2 }));
    scope.done();
    expect(err.code).toBe(VERSION_RUNS_UNSUPPORTED_CODE);
    expect(err.message).toContain('does not run a given version');
  });

  it('reports a missing version as such, not as unsupported version runs', async () => {
    const scope = nock(SERVER)
      .post(`${APPS}/apps/${APP_ID}@9/runs/`)
      .reply(404, { detail: 'Not found.' })
      .get(`${APPS}/apps/${APP_ID}@9/`)
      .reply(404, { detail: 'Not found.' });
    const err = await rejection(client().client.deployAppRun(APP_ID, { version: 9 }));
    scope.done();
    expect(err.code).not.toBe(VERSION_RUNS_UNSUPPORTED_CODE);
    expect(err.status).toBe(404);
  });
});

describe('reading runs', () => {
  it('reads a run at its URL: state, parameters with ids and labels, results', async () => {
    const scope = nock(SERVER)
      .get(RUN_PATH)
      .reply(
        200,
        details('FINISHED', {
          state_detail: null,
          results: [{ name: 'MyResult', value: { data: 99 }, labels: { type: 'integer' } }],
        }),
      );
    const run = await client().client.getRun(ref);
    scope.done();
    expect(run.state).toEqual({ kind: 'known', name: 'FINISHED' });
    expect(run.stateDetail).toBeNull();
    expect(run.parameters).toEqual([
      { id: 'fd10fa8bafb642f29ca89542504970ae', name: 'MyFirstParameter', value: { data: 'string_value', meta: { type: 'str' } }, labels: { type: 'string' } },
      { id: 'db4bc72e7a594ba9b0a7009d95013648', name: 'MySecondParameter', value: { data: 42, meta: {} }, labels: { type: 'integer, real, string' } },
      { id: 'ba7236e82c9b17f242a91ec87d2a5e2d', name: 'MySecret', value: { data: null, meta: {} }, labels: {} },
    ]);
    expect(run.results).toEqual([{ name: 'MyResult', value: { data: 99, meta: {} }, labels: { type: 'integer' } }]);
  });

  it.each([
    ['a state the guide does not name is kept as it is', { state: 'PAUSED' }, 'state', { kind: 'other', name: 'PAUSED' }],
    ['an unreadable state is unreadable, not a guess', { state: 7 }, 'state', unreadable('7')],
    ['a parameter without an id makes the list unreadable', { parameters: [{ name: 'x', value: { data: 1 } }] }, 'parameters', unreadable('[{"name":"x","value":{"data":1}}]')],
    ['a value without data is unreadable', { results: [{ name: 'r', value: 5, labels: null }] }, 'results', [{ name: 'r', value: unreadable('5'), labels: {} }]],
    ['null results before the run ends read as none yet', { results: null }, 'results', []],
  ] as const)('%s', async (_, extra, field, expected) => {
    nock(SERVER).get(RUN_PATH).reply(200, details('RUNNING', extra));
    const run = await client().client.getRun(ref);
    expect(run[field as keyof typeof run]).toEqual(expected);
  });

  it('asks apps/{id}/runs/{run}/ when the run has no URL under the app API', async () => {
    const scope = nock(SERVER).get(RUN_PATH).reply(200, details('CONFIGURATION'));
    await client().client.getRun({ appId: APP_ID, id: RUN_ID, url: 'https://elsewhere.example/runs/x/' });
    scope.done();
  });

  it('retries a read after a 503', async () => {
    const scope = nock(SERVER).get(RUN_PATH).reply(503, {}).get(RUN_PATH).reply(200, details('RUNNING'));
    const c = client();
    await c.client.getRun(ref);
    scope.done();
    expect(c.requests.map((r) => r.status)).toEqual([503, 200]);
  });

  it('refuses an answer about another run', async () => {
    nock(SERVER).get(RUN_PATH).reply(200, details('RUNNING', { id: 'another' }));
    const err = await rejection(client().client.getRun(ref));
    expect(err.message).toContain('not the one requested');
  });

  it.each([
    ['the default version', {}, `${APPS}/apps/${APP_ID}/runs/`],
    ['a given version', { version: 2 }, `${APPS}/apps/${APP_ID}@2/runs/`],
  ])('lists the runs of %s', async (_, options, path) => {
    const scope = nock(SERVER).get(path).reply(200, { count: 1, next: null, previous: null, results: [{ id: RUN_ID, name: 'check-1', state: 'FAILED', state_detail: 'boom' }] });
    const runs = await client().client.listRuns(APP_ID, options);
    scope.done();
    expect(runs.map((r) => [r.id, r.name, r.state, r.stateDetail])).toEqual([[RUN_ID, 'check-1', { kind: 'known', name: 'FAILED' }, 'boom']]);
  });
});

describe('setting parameters', () => {
  it('PATCHes the details as read with .parameters[].value.data changed, everything else sent back', async () => {
    let body: unknown;
    const scope = nock(SERVER)
      .get(RUN_PATH)
      .reply(200, details('CONFIGURATION'))
      .patch(RUN_PATH)
      .matchHeader('content-type', 'application/json')
      .reply(200, function (_uri, sent) {
        body = sent;
        return sent as Record<string, unknown>;
      });
    const run = await client().client.patchRunParameters(ref, [
      { name: 'MySecondParameter', data: 43 },
      { name: 'MySecret', data: 'new_access_token' },
    ]);
    scope.done();
    const expected = details('CONFIGURATION');
    expected.parameters[1]!.value = { data: 43 };
    expected.parameters[2]!.value = { data: 'new_access_token' };
    expect(body).toEqual(expected);
    // Metainformation in value is kept.
    expect((body as typeof expected).parameters[0]!.value).toEqual({ data: 'string_value', type: 'str' });
    expect(run.id).toBe(RUN_ID);
  });

  it.each([
    ['a name the run does not have', [{ name: 'Nope', data: 1 }], 'no parameter named "Nope"'],
    ['a name given twice', [{ name: 'MySecret', data: 1 }, { name: 'MySecret', data: 2 }], 'given twice'],
  ])('refuses %s before sending anything', async (_, values, message) => {
    const scope = nock(SERVER).get(RUN_PATH).reply(200, details('CONFIGURATION'));
    const err = await rejection(client().client.patchRunParameters(ref, values));
    scope.done();
    expect(err).toBeInstanceOf(P7appsError);
    expect(err.message).toContain(message);
    if (message.startsWith('no parameter')) expect(err.hint).toContain('"MyFirstParameter"');
  });

  it('retries a PATCH whose answer was lost: the same values again set the same values', async () => {
    const scope = nock(SERVER)
      .get(RUN_PATH)
      .reply(200, details('CONFIGURATION'))
      .patch(RUN_PATH)
      .replyWithError(netError({ code: 'ECONNRESET', message: 'socket hang up' }))
      .patch(RUN_PATH)
      .reply(200, details('CONFIGURATION'));
    await client().client.patchRunParameters(ref, [{ name: 'MySecondParameter', data: 43 }]);
    scope.done();
  });
});

describe('run commands', () => {
  it.each([
    ['starts', 'run/', 'startRun'],
    ['interrupts', 'interrupt/', 'interruptRun'],
  ] as const)('%s with POST {run}/%s and no body', async (_, command, method) => {
    let bytes = -1;
    const scope = nock(SERVER)
      .post(`${RUN_PATH}${command}`)
      .matchHeader('authorization', `Token ${TOKEN}`)
      .reply(200, function () {
        bytes = requestBytes(this).length;
        return { status: 200, message: 'Accepted' };
      });
    await client().client[method](ref);
    scope.done();
    expect(bytes).toBe(0);
  });

  it.each([
    ['a start whose answer was lost, and the run is queued', 'run/', 'startRun', 'QUEUED_TO_RUN', true],
    ['a start whose answer was lost, and the run is still in CONFIGURATION', 'run/', 'startRun', 'CONFIGURATION', false],
    ['an interrupt whose answer was lost, and the run is INTERRUPTED', 'interrupt/', 'interruptRun', 'INTERRUPTED', true],
    ['an interrupt whose answer was lost, and the run is still RUNNING', 'interrupt/', 'interruptRun', 'RUNNING', false],
  ] as const)('reads the run back after %s', async (_, command, method, state, done) => {
    const scope = nock(SERVER)
      .post(`${RUN_PATH}${command}`)
      .replyWithError(netError({ code: 'ECONNRESET', message: 'socket hang up' }))
      .get(RUN_PATH)
      .reply(200, details(state));
    const outcome = client().client[method](ref);
    if (done) await outcome;
    else expect((await rejection(outcome)).ambiguous).toBe(true);
    scope.done();
  });

  it('sends a start once and explains a refusal in terms of run states', async () => {
    const scope = nock(SERVER)
      .post(`${RUN_PATH}run/`)
      .reply(400, { detail: 'Run is not in CONFIGURATION state.' })
      .get(RUN_PATH)
      .reply(200, details('QUEUED_TO_INITIALIZE'));
    const err = await rejection(client().client.startRun(ref));
    scope.done();
    expect(err.status).toBe(400);
    expect(err.hint).toContain('CONFIGURATION');
  });
});

describe('deleting a run', () => {
  it('sends DELETE to the run', async () => {
    const scope = nock(SERVER).delete(RUN_PATH).matchHeader('authorization', `Token ${TOKEN}`).reply(200, { status: 200 });
    expect(await client().client.deleteRun(ref)).toBe('deleted');
    scope.done();
  });

  it('retries a DELETE whose answer was lost, and takes the 404 that follows for deleted', async () => {
    const scope = nock(SERVER).delete(RUN_PATH).replyWithError(netError({ code: 'ECONNRESET', message: 'socket hang up' })).delete(RUN_PATH).reply(404, { detail: 'Not found.' });
    const c = client();
    expect(await c.client.deleteRun(ref)).toBe('already-gone');
    scope.done();
    expect(c.requests.map((r) => [r.method, r.status])).toEqual([
      ['DELETE', undefined],
      ['DELETE', 404],
    ]);
  });

  it('reports a run that cannot be deleted now (RUNNING) with what to do', async () => {
    nock(SERVER).delete(RUN_PATH).reply(400, { detail: 'Run is running.' });
    const err = await rejection(client().client.deleteRun(ref));
    expect(err.status).toBe(400);
    expect(err.hint).toContain('interrupt a RUNNING one first');
  });
});

describe('probing version runs (A26)', () => {
  it.each([
    ['supported', 200, [], 'supported'],
    ['unsupported', 404, { detail: 'Not found.' }, 'unsupported'],
  ] as const)('reports %s from GET apps/{id}@{v}/runs/', async (_, status, body, expected) => {
    const scope = nock(SERVER).get(`${APPS}/apps/${APP_ID}@2/runs/`).reply(status, body);
    if (status === 404) scope.get(`${APPS}/apps/${APP_ID}@2/`).reply(200, { id: APP_ID, version: 2 });
    expect(await client().client.probeVersionRuns(APP_ID, 2)).toBe(expected);
    scope.done();
  });
});
