// Runs in the emulator over real sockets: the lifecycle, table-driven by the
// path a run takes through its states on a manual clock; parameters with
// per-run ids, labels and secrets; PATCH; fixed cases and the failing mode;
// the states each command is allowed in; `personal`; runs of a given
// version and the profile that has none; the controls; and the lost-answer
// faults for deploy, start and delete.

import { describe, expect, it } from 'vitest';
import { emulator, manualClock, runsSeed } from './helpers.js';

const HEALTHY = '/Users/1/Calc.p7wf';
const BROKEN = '/Users/1/CalcBroken.p7wf';

const CALC_RUN = {
  parameters: [
    { name: 'x', default: 1, labels: { type: 'real' } },
    { name: 'mode', default: 'fast', labels: { type: 'string' }, result: true },
    { name: 'key', default: null, labels: {}, secret: true },
  ],
  results: [{ name: 'y', default: 0, labels: { type: 'real' } }],
  cases: [
    { when: { x: 2 }, then: { y: 4 } },
    { when: { x: -1 }, fail: 'x must not be negative' },
  ],
  runTimeMs: 1000,
};

const SEED = runsSeed(
  [
    { path: HEALTHY, run: CALC_RUN },
    { path: BROKEN, run: { ...CALC_RUN, fail: 'Block "Solver" failed: division by zero' } },
  ],
  [
    {
      name: 'Calc',
      workspace: 'Toy apps',
      defaultVersion: 1,
      versions: [
        { version: 1, workflow: HEALTHY },
        { version: 2, workflow: BROKEN },
      ],
    },
  ],
);

const TIMING = { deployMs: 100, queueMs: 50, runMs: 500 };

async function world(options: { profiles?: string; faults?: string } = {}) {
  const clock = manualClock();
  const emu = await emulator({ seed: SEED, now: clock.now, runTiming: TIMING, ...options });
  const auth = { Authorization: `Token ${emu.token}` };
  const app = emu.snapshot().apps[0]!;
  const workflowId = emu.snapshot().workflows[0]!.id;
  const call = async (method: string, url: string, body?: unknown, form?: Record<string, string>) => {
    const init: RequestInit = { method, headers: { ...auth } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    } else if (form !== undefined) {
      const data = new FormData();
      for (const [k, v] of Object.entries(form)) data.append(k, v);
      init.body = data;
    }
    const res = await fetch(url.startsWith('http') ? url : `${emu.url}${url}`, init);
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  return { emu, clock, call, appId: app.id, workflowId };
}

type Step = ['advance', number] | ['start'] | ['interrupt'] | ['patch', Record<string, unknown>];

describe('the run lifecycle', () => {
  it.each<[string, 'workflow' | 'app' | 'app@2', Step[], string[], { results?: unknown; detail?: unknown }]>([
    [
      'a workflow run finishes with the default results',
      'workflow',
      [['advance', 100], ['start'], ['advance', 50], ['advance', 1000]],
      ['QUEUED_TO_INITIALIZE', 'CONFIGURATION', 'QUEUED_TO_RUN', 'RUNNING', 'FINISHED'],
      { results: [{ name: 'y', value: { data: 0 }, labels: { type: 'real' } }, { name: 'mode', value: { data: 'fast' }, labels: { type: 'string' } }], detail: null },
    ],
    [
      'an app run with a case: when x=2 then y=4',
      'app',
      [['advance', 100], ['patch', { x: 2 }], ['start'], ['advance', 1050]],
      ['QUEUED_TO_INITIALIZE', 'CONFIGURATION', 'CONFIGURATION', 'QUEUED_TO_RUN', 'FINISHED'],
      { results: [{ name: 'y', value: { data: 4 }, labels: { type: 'real' } }, { name: 'mode', value: { data: 'fast' }, labels: { type: 'string' } }] },
    ],
    [
      'a case that fails ends FAILED with its state detail and no results',
      'app',
      [['advance', 100], ['patch', { x: -1 }], ['start'], ['advance', 1050]],
      ['QUEUED_TO_INITIALIZE', 'CONFIGURATION', 'CONFIGURATION', 'QUEUED_TO_RUN', 'FAILED'],
      { results: [], detail: 'x must not be negative' },
    ],
    [
      'a broken version fails whatever its parameters (the failing mode)',
      'app@2',
      [['advance', 100], ['patch', { x: 2 }], ['start'], ['advance', 1050]],
      ['QUEUED_TO_INITIALIZE', 'CONFIGURATION', 'CONFIGURATION', 'QUEUED_TO_RUN', 'FAILED'],
      { detail: 'Block "Solver" failed: division by zero' },
    ],
    [
      'an interrupted run ends INTERRUPTED',
      'workflow',
      [['advance', 100], ['start'], ['advance', 60], ['interrupt'], ['advance', 5000]],
      ['QUEUED_TO_INITIALIZE', 'CONFIGURATION', 'QUEUED_TO_RUN', 'RUNNING', 'INTERRUPTED', 'INTERRUPTED'],
      { results: [], detail: null },
    ],
  ])('%s', async (_, where, steps, states, end) => {
    const { clock, call, appId, workflowId } = await world();
    const runs = where === 'workflow' ? `/pseven/.rest/v2/workflows/${workflowId}/runs/` : where === 'app' ? `/appshub/.rest/v2/apps/${appId}/runs/` : `/appshub/.rest/v2/apps/${appId}@2/runs/`;
    const deployed = await call('POST', runs, undefined, where === 'workflow' ? {} : { personal: 'False' });
    expect(deployed.status).toBe(201);
    const url: string = deployed.body.url;
    const seen = [deployed.body.state];
    for (const step of steps) {
      if (step[0] === 'advance') clock.advance(step[1]);
      else if (step[0] === 'start') expect((await call('POST', `${url}run/`)).body).toEqual({ status: 200, message: 'Accepted' });
      else if (step[0] === 'interrupt') expect((await call('POST', `${url}interrupt/`)).status).toBe(200);
      else {
        const details = (await call('GET', url)).body;
        for (const p of details.parameters) if (Object.hasOwn(step[1], p.name)) p.value.data = step[1][p.name];
        expect((await call('PATCH', url, details)).status).toBe(200);
      }
      seen.push((await call('GET', url)).body.state);
    }
    expect(seen).toEqual(states);
    const details = (await call('GET', url)).body;
    if (end.results !== undefined) expect(details.results).toEqual(end.results);
    if (end.detail !== undefined) expect(details.state_detail).toBe(end.detail);
    // Every ended run can be deleted; afterwards it is 404, as the guide says.
    expect((await call('DELETE', url)).body).toEqual({ status: 200 });
    expect(await call('GET', url)).toEqual({ status: 404, body: { detail: 'Not found.' } });
  });

  it.each<[string, Step[], 'start' | 'interrupt' | 'patch' | 'delete', number]>([
    ['no start before CONFIGURATION', [], 'start', 400],
    ['no parameters before CONFIGURATION', [], 'patch', 400],
    ['no interrupt in CONFIGURATION', [['advance', 100]], 'interrupt', 400],
    ['no start twice', [['advance', 100], ['start']], 'start', 400],
    ['no delete while QUEUED_TO_RUN', [['advance', 100], ['start']], 'delete', 400],
    ['no delete while RUNNING', [['advance', 100], ['start'], ['advance', 60]], 'delete', 400],
    ['no parameters once started', [['advance', 100], ['start']], 'patch', 400],
    ['delete in CONFIGURATION', [['advance', 100]], 'delete', 200],
  ])('%s', async (_, steps, command, status) => {
    const { clock, call, workflowId } = await world();
    const url: string = (await call('POST', `/pseven/.rest/v2/workflows/${workflowId}/runs/`)).body.url;
    for (const step of steps) {
      if (step[0] === 'advance') clock.advance(step[1]);
      else expect((await call('POST', `${url}${step[0] === 'start' ? 'run' : 'interrupt'}/`)).status).toBe(200);
    }
    const res =
      command === 'patch'
        ? await call('PATCH', url, (await call('GET', url)).body)
        : command === 'delete'
          ? await call('DELETE', url)
          : await call('POST', `${url}${command === 'start' ? 'run' : 'interrupt'}/`);
    expect(res.status).toBe(status);
    if (status === 400) expect(res.body.detail).toMatch(/^Cannot .* a run in state [A-Z_]+; it must be/);
  });
});

describe('parameters', () => {
  it('have new ids in every run, labels, and secrets never shown', async () => {
    const { clock, call, appId } = await world();
    const runs = `/appshub/.rest/v2/apps/${appId}/runs/`;
    const a = (await call('POST', runs)).body;
    const b = (await call('POST', runs)).body;
    clock.advance(100);
    const first = (await call('GET', a.url)).body;
    const second = (await call('GET', b.url)).body;
    expect(first.parameters.map((p: { name: string }) => p.name)).toEqual(['x', 'mode', 'key']);
    expect(first.parameters.map((p: { id: string }) => p.id)).not.toEqual(second.parameters.map((p: { id: string }) => p.id));
    expect(first.parameters[0]).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'x', value: { data: 1 }, labels: { type: 'real' } });
    expect(first.parameters[2].value).toEqual({ data: null });

    first.parameters[2].value.data = 'hunter2';
    const patched = (await call('PATCH', a.url, first)).body;
    // A set secret shows as "", and sending that "" back keeps it.
    expect(patched.parameters[2].value).toEqual({ data: '' });
    expect((await call('PATCH', a.url, patched)).status).toBe(200);
    expect(JSON.stringify((await call('GET', a.url)).body)).not.toContain('hunter2');
  });

  it.each([
    ['an id of another run', (d: { parameters: { id: string }[] }) => ({ parameters: [{ ...d.parameters[0], id: '0'.repeat(32) }] }), /not the id of a parameter/],
    ['a value without data', (d: { parameters: { id: string }[] }) => ({ parameters: [{ id: d.parameters[0]!.id, value: 5 }] }), /must be an object with "data"/],
    ['parameters that are not a list', () => ({ parameters: 'x=2' }), /Expected a list/],
  ])('refuses %s, changing nothing', async (_, body, message) => {
    const { clock, call, workflowId } = await world();
    const url: string = (await call('POST', `/pseven/.rest/v2/workflows/${workflowId}/runs/`)).body.url;
    clock.advance(100);
    const before = (await call('GET', url)).body;
    const res = await call('PATCH', url, body(before));
    expect(res.status).toBe(400);
    expect(res.body.parameters[0]).toMatch(message);
    expect((await call('GET', url)).body).toEqual(before);
  });
});

describe('deploying', () => {
  it('names runs and places them as the guide does, and keeps personal', async () => {
    const { emu, call, appId, workflowId } = await world();
    const wf = (await call('POST', `/pseven/.rest/v2/workflows/${workflowId}/runs/`)).body;
    expect(wf).toMatchObject({ name: '#1 (Calc)', path: `${HEALTHY}/@Runs/#00000001.p7run`, state: 'QUEUED_TO_INITIALIZE', workflow: HEALTHY });
    const named = (await call('POST', `/pseven/.rest/v2/workflows/${workflowId}/runs/`, { path: '/Users/1/Toy runs', name: 'Toy named run' })).body;
    expect(named.path).toBe('/Users/1/Toy runs/Toy named run.p7run');
    const personal = (await call('POST', `/appshub/.rest/v2/apps/${appId}/runs/`, undefined, { name: 'Test personal run', personal: 'True' })).body;
    expect(personal.url).toBe(`${emu.appApiUrl}apps/${appId}/runs/${personal.id}/`);
    expect(emu.snapshot().runs.map((r) => [r.name, r.personal, r.owner.kind])).toEqual([
      ['#1 (Calc)', false, 'workflow'],
      ['Toy named run', false, 'workflow'],
      ['Test personal run', true, 'app'],
    ]);
    // The workflow's details list its runs.
    expect((await call('GET', `/pseven/.rest/v2/workflows/${workflowId}/`)).body.runs.map((r: { name: string }) => r.name)).toEqual(['#1 (Calc)', 'Toy named run']);
  });

  it.each([
    ['a path for an app run', 'app', { path: '/Users/1/x', name: 'n' }, { path: ['The run path parameter is not supported in AppsHub.'] }],
    ['a path without a name', 'workflow', { path: '/Users/1/x' }, { name: ['This field is required when path is given.'] }],
    ['personal that is not a boolean', 'app', { personal: 'maybe' }, { personal: ['Must be a valid boolean.'] }],
    ['a name already used', 'app', { name: 'dup' }, { name: ['A run named "dup" already exists.'] }],
  ])('refuses %s with 400', async (_, where, body, answer) => {
    const { call, appId, workflowId } = await world();
    const runs = where === 'app' ? `/appshub/.rest/v2/apps/${appId}/runs/` : `/pseven/.rest/v2/workflows/${workflowId}/runs/`;
    if ('name' in answer && answer.name[0]?.includes('already')) await call('POST', runs, body);
    expect(await call('POST', runs, body)).toEqual({ status: 400, body: answer });
  });

  it('runs a given version at apps/{id}@{v}/runs/, its URL under that version', async () => {
    const { emu, call, appId } = await world();
    const run = (await call('POST', `/appshub/.rest/v2/apps/${appId}@2/runs/`)).body;
    expect(run.url).toBe(`${emu.appApiUrl}apps/${appId}@2/runs/${run.id}/`);
    expect((await call('GET', `/appshub/.rest/v2/apps/${appId}@2/runs/`)).body.map((r: { id: string }) => r.id)).toEqual([run.id]);
    expect((await call('GET', `/appshub/.rest/v2/apps/${appId}@1/runs/`)).body).toEqual([]);
    // The app's own runs/ lists the runs of every version.
    expect((await call('GET', `/appshub/.rest/v2/apps/${appId}/runs/`)).body.map((r: { id: string }) => r.id)).toEqual([run.id]);
  });

  it('refuses a run of a version that is not READY', async () => {
    const { emu, clock, call, appId } = await world();
    emu.setReadyAfterMs(1000);
    emu.driftApp('Calc', { publish: { workflowPath: HEALTHY, setAsDefault: false } });
    const res = await call('POST', `/appshub/.rest/v2/apps/${appId}@3/runs/`);
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('not READY');
    clock.advance(1000);
    expect((await call('POST', `/appshub/.rest/v2/apps/${appId}@3/runs/`)).status).toBe(201);
  });

  it('keeps what a version runs as it was published: fixing the workflow changes only later versions', async () => {
    const { emu, clock, call, appId } = await world();
    emu.setWorkflowRun(BROKEN, CALC_RUN);
    const v2 = (await call('POST', `/appshub/.rest/v2/apps/${appId}@2/runs/`)).body.url;
    emu.driftApp('Calc', { publish: { workflowPath: BROKEN } });
    const v3 = (await call('POST', `/appshub/.rest/v2/apps/${appId}@3/runs/`)).body.url;
    clock.advance(100);
    await call('POST', `${v2}run/`);
    await call('POST', `${v3}run/`);
    clock.advance(2000);
    expect([(await call('GET', v2)).body.state, (await call('GET', v3)).body.state]).toEqual(['FAILED', 'FINISHED']);
  });

  it('serves no version runs under the no-version-runs profile', async () => {
    const { call, appId } = await world({ profiles: 'no-version-runs' });
    expect((await call('POST', `/appshub/.rest/v2/apps/${appId}@2/runs/`)).status).toBe(404);
    expect((await call('GET', `/appshub/.rest/v2/apps/${appId}@2/runs/`)).status).toBe(404);
    expect((await call('POST', `/appshub/.rest/v2/apps/${appId}/runs/`)).status).toBe(201);
  });
});

describe('controls and faults', () => {
  it('sets the run timing and a workflow run behaviour through the control API', async () => {
    const { emu, clock, call, workflowId } = await world();
    const control = (method: string, path: string, body: unknown) =>
      fetch(`${emu.controlUrl}${path}`, { method, headers: { Authorization: `Token ${emu.controlToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect(await (await control('PUT', 'run-timing', { deployMs: 0 })).json()).toEqual({ ...TIMING, deployMs: 0 });
    const bad = await control('PUT', 'workflows/run', { path: HEALTHY, run: { cases: [{ when: { nope: 1 } }] } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toContain('run.cases[0].when.nope: no parameter is named "nope"');
    expect((await control('PUT', 'workflows/run', { path: HEALTHY, run: { fail: 'broken now' } })).status).toBe(200);
    const url: string = (await call('POST', `/pseven/.rest/v2/workflows/${workflowId}/runs/`)).body.url;
    expect((await call('GET', url)).body.state).toBe('CONFIGURATION');
    await call('POST', `${url}run/`);
    clock.advance(2000);
    expect((await call('GET', url)).body).toMatchObject({ state: 'FAILED', state_detail: 'broken now' });
  });

  it.each([
    ['deploy', 'dropRunDeployNext=1', 'dropRunDeploy'],
    ['start', 'dropRunStartNext=1', 'dropRunStart'],
    ['delete', 'dropRunDeleteNext=1', 'dropRunDelete'],
  ] as const)('loses the answer of one %s after carrying it out', async (what, faults, kind) => {
    const { emu, clock, call, appId } = await world({ faults });
    const runs = `/appshub/.rest/v2/apps/${appId}/runs/`;
    const deploy = () => call('POST', runs, { name: 'check' });
    let url: string | undefined;
    if (what === 'deploy') {
      await expect(deploy()).rejects.toThrow();
      url = (await call('GET', runs)).body[0].url;
    } else {
      url = (await deploy()).body.url;
    }
    clock.advance(100);
    if (what === 'start') await expect(call('POST', `${url}run/`)).rejects.toThrow();
    if (what === 'delete') await expect(call('DELETE', url!)).rejects.toThrow();
    const after = await call('GET', url!);
    if (what === 'delete') expect(after.status).toBe(404);
    else expect(after.body.state).toBe(what === 'start' ? 'QUEUED_TO_RUN' : 'CONFIGURATION');
    expect(emu.faultCounts()[kind]).toBe(1);
    expect(emu.requestLog().filter((e) => e.fault === kind)).toHaveLength(1);
  });
});

describe('the shipped seeds', () => {
  it.each([
    ['examples/demo/seed.yaml', '/Users/1/BeamCalculator.p7wf', 'FINISHED', null],
    ['examples/demo/seed.yaml', '/Users/1/BeamCalculatorV2.p7wf', 'FAILED', "Block 'Solver' failed: division by zero (the support stiffness is 0)"],
    ['examples/demo/seed.yaml', '/Users/1/BeamCalculatorV3.p7wf', 'FINISHED', null],
    ['examples/demo/seed.yaml', '/Users/1/ToyWorkflow.p7wf', 'FINISHED', null],
    ['examples/seeds/toy.yaml', '/Users/1/BeamCalculator.p7wf', 'FINISHED', null],
    ['examples/seeds/toy.yaml', '/Users/2/HeatExchanger.p7wf', 'FAILED', "Initialization of block 'Solver' failed: no license available"],
    ['examples/seeds/guide.json', '/Users/1/ToyWorkflow.p7wf', 'FINISHED', null],
  ])('%s: runs of %s end %s', async (seed, path, state, detail) => {
    const clock = manualClock();
    const emu = await emulator({ seed, now: clock.now, runTiming: { deployMs: 0, queueMs: 0, runMs: 0 } });
    const workflow = emu.snapshot().workflows.find((w) => w.path === path)!;
    const auth = { Authorization: `Token ${emu.token}` };
    const deployed = (await (await fetch(`${emu.workflowApiUrl}workflows/${workflow.id}/runs/`, { method: 'POST', headers: auth })).json()) as { url: string };
    expect((await fetch(`${deployed.url}run/`, { method: 'POST', headers: auth })).status).toBe(200);
    clock.advance(60_000);
    const details = (await (await fetch(deployed.url, { headers: auth })).json()) as { state: string; state_detail: string; results: unknown[] };
    expect([details.state, details.state_detail]).toEqual([state, detail]);
    if (state === 'FINISHED') expect(details.results.length).toBeGreaterThan(0);
  });
});
