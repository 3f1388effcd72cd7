// Fault injection: the --faults grammar, each fault observable over a real
// socket, reproducibility from a seed, counting, and the control API left
// alone.

import { describe, expect, it } from 'vitest';
import { DEFAULT_FAIL_DETAIL, formatFaultSpec, parseFaultSpec, type FaultSpec } from '../../src/emulator/index.js';
import { client, emulator, manualClock, toyPublish } from './helpers.js';

describe('the fault spec grammar', () => {
  it.each<[string, FaultSpec]>([
    ['', {}],
    [
      'latency=20,jitter=5,rate503=0.05,rate429=0.02,retryAfter=1,reset=0.03,dropPublishResponse=0.02,stuckQueued=AppName,failPublish=AppName,seed=42',
      {
        latencyMs: 20,
        jitterMs: 5,
        rate503: 0.05,
        rate429: 0.02,
        retryAfterS: 1,
        resetRate: 0.03,
        dropPublishResponseRate: 0.02,
        stuckQueuedApps: ['AppName'],
        failPublishApps: ['AppName'],
        seed: 42,
      },
    ],
    ['stuckQueued=Toy app, stuckQueued=Other%2C with comma', { stuckQueuedApps: ['Toy app', 'Other, with comma'] }],
    ['stuckQueuedNext=2,failPublishNext=1,failDetail=No%20license', { stuckQueuedNext: 2, failPublishNext: 1, failDetail: 'No license' }],
    ['rate503=1,max503=3,maxReset=0', { rate503: 1, max503: 3, maxReset: 0 }],
    [
      'trickle=0.5,maxTrickle=2,tricklePublish=1,maxTricklePublish=1,trickleEvery=250',
      { trickleRate: 0.5, maxTrickle: 2, tricklePublishRate: 1, maxTricklePublish: 1, trickleEveryMs: 250 },
    ],
  ])('parses "%s"', (text, spec) => {
    expect(parseFaultSpec(text)).toEqual(spec);
    expect(parseFaultSpec(formatFaultSpec(spec))).toEqual(spec);
  });

  it.each([
    ['rate503=2', 'fault spec item "rate503=2": rate503 must be a probability from 0 to 1 (got "2")'],
    ['rate503=lots', 'fault spec item "rate503=lots": rate503 must be a probability from 0 to 1 (got "lots")'],
    ['latency=-1', 'fault spec item "latency=-1": latency must be a whole number of milliseconds from 0 to 600000 (got "-1")'],
    ['latency=1.5', 'fault spec item "latency=1.5": latency must be a whole number of milliseconds from 0 to 600000 (got "1.5")'],
    ['speed=3', 'fault spec item "speed=3": unknown key "speed"'],
    ['latency', 'fault spec item "latency": expected key=value'],
    ['latency=1,,seed=2', 'fault spec item "": empty item (two commas in a row, or a trailing comma)'],
    ['seed=1,seed=2', 'fault spec item "seed=2": "seed" is given twice'],
    ['stuckQueued=', 'fault spec item "stuckQueued=": stuckQueued needs an app name'],
    ['failDetail=%E0%A4%A', 'fault spec item "failDetail=%E0%A4%A": the value has a broken percent-encoding'],
  ])('refuses "%s" naming the item', (text, message) => {
    expect(() => parseFaultSpec(text)).toThrow(message);
  });

  it('refuses a bad spec object when the emulator starts', async () => {
    await expect(emulator({ faults: { rate429: 7 } })).rejects.toThrow('fault spec field rate429: must be a probability from 0 to 1 (the "rate429" key)');
    await expect(emulator({ faults: { speed: 1 } as FaultSpec })).rejects.toThrow('fault spec field speed is not a fault');
  });
});

describe('each fault', () => {
  it('latency and jitter hold every API request, as the log records', async () => {
    const emu = await emulator({ latencyMs: 3, faults: 'latency=2,jitter=4,seed=7' });
    const api = client(emu);
    for (let i = 0; i < 6; i++) await api.listApps();
    const delays = emu.requestLog().map((e) => e.delayMs);
    expect(delays.every((d) => d >= 5 && d <= 9)).toBe(true);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it('rate503 answers 503 with Retry-After and changes nothing', async () => {
    const emu = await emulator({ faults: 'rate503=1,retryAfter=2' });
    const res = await client(emu).publish(toyPublish());
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.body).toEqual({ detail: 'Service temporarily unavailable, try again later.' });
    expect(emu.snapshot().apps).toEqual([]);
    expect(emu.requestLog()).toEqual([expect.objectContaining({ endpoint: 'POST apps/', status: 503, fault: '503' })]);
  });

  it('rate429 answers 429 with Retry-After, in DRF words', async () => {
    const emu = await emulator({ faults: 'rate429=1,retryAfter=3' });
    const res = await client(emu).listApps();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.body).toEqual({ detail: 'Request was throttled. Expected available in 3 seconds.' });
  });

  it('max503 stops the fault after that many', async () => {
    const emu = await emulator({ faults: 'rate503=1,max503=2' });
    const api = client(emu);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.listApps()).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
  });

  it('reset destroys the connection before anything is done', async () => {
    const emu = await emulator({ faults: 'reset=1' });
    await expect(client(emu).publish(toyPublish())).rejects.toThrow();
    expect(emu.snapshot().apps).toEqual([]);
    expect(emu.requestLog()).toEqual([expect.objectContaining({ endpoint: 'POST apps/', status: null, fault: 'reset' })]);
  });

  it('dropPublishResponse commits the publish, then destroys the connection (the ambiguous write)', async () => {
    const emu = await emulator({ faults: 'dropPublishResponse=1' });
    const api = client(emu);
    await expect(api.publish(toyPublish())).rejects.toThrow();
    expect(emu.snapshot().apps).toEqual([expect.objectContaining({ name: 'Toy app', versions: [expect.objectContaining({ version: 1 })] })]);
    expect(emu.requestLog()).toEqual([expect.objectContaining({ endpoint: 'POST apps/', status: null, fault: 'dropPublishResponse' })]);
    // Reads still answer, so a client can find out what happened.
    expect((await api.listApps()).body).toHaveLength(1);
  });

  it('trickle sends the status at once and the body one byte at a time, complete in the end', async () => {
    const emu = await emulator({ faults: 'trickle=1,maxTrickle=1,trickleEvery=5' });
    const res = await fetch(`${emu.appApiUrl}apps/`, { headers: { Authorization: `Token ${emu.token}` } });
    expect(res.status).toBe(200);
    const chunks: number[] = [];
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk.byteLength);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((n) => n === 1)).toBe(true);
    expect(emu.requestLog()).toEqual([expect.objectContaining({ endpoint: 'GET apps/', status: 200, fault: 'trickle' })]);
    expect(emu.faultCounts()).toMatchObject({ trickle: 1 });
    // maxTrickle=1: the next answer comes whole.
    expect((await client(emu).listApps()).body).toEqual([]);
  });

  it('tricklePublish commits the publish, then trickles its answer; closing the emulator ends the trickle', async () => {
    const emu = await emulator({ faults: 'tricklePublish=1,trickleEvery=60000' });
    const form = new FormData();
    for (const [k, v] of Object.entries(toyPublish())) form.append(k, String(v));
    const res = await fetch(`${emu.appApiUrl}apps/`, { method: 'POST', headers: { Authorization: `Token ${emu.token}` }, body: form });
    expect(res.status).toBe(201);
    expect(emu.snapshot().apps).toEqual([expect.objectContaining({ name: 'Toy app', versions: [expect.objectContaining({ version: 1 })] })]);
    expect(emu.requestLog()).toEqual([expect.objectContaining({ endpoint: 'POST apps/', status: 201, fault: 'tricklePublish' })]);
    expect(emu.activeRequests()).toBe(1);
    const body = res.text();
    await emu.close();
    await expect(body).rejects.toThrow();
  });

  it('stuckQueued=NAME keeps that app\'s publishes QUEUED_TO_INITIALIZE for ever, and the app busy', async () => {
    const clock = manualClock();
    const emu = await emulator({ readyAfterMs: 10, now: clock.now, faults: 'stuckQueued=Toy app' });
    const api = client(emu);
    const stuck = await api.publish(toyPublish());
    const other = await api.publish(toyPublish({ name: 'Other app' }));
    clock.advance(1_000_000);
    expect((await api.getApp(stuck.body.id, 1)).body.state).toBe('QUEUED_TO_INITIALIZE');
    expect((await api.getApp(other.body.id, 1)).body.state).toBe('READY');
    expect((await api.publish(toyPublish())).status).toBe(409);
  });

  it('stuckQueuedNext=N sticks the next N publishes, whatever the app', async () => {
    const clock = manualClock();
    const emu = await emulator({ readyAfterMs: 10, now: clock.now, faults: 'stuckQueuedNext=1' });
    const api = client(emu);
    const first = await api.publish(toyPublish({ name: 'First' }));
    const second = await api.publish(toyPublish({ name: 'Second' }));
    clock.advance(1_000);
    expect((await api.getApp(first.body.id, 1)).body.state).toBe('QUEUED_TO_INITIALIZE');
    expect((await api.getApp(second.body.id, 1)).body.state).toBe('READY');
  });

  it('failPublish=NAME ends that app\'s publishes FAILED with a state_detail', async () => {
    const clock = manualClock();
    const emu = await emulator({ readyAfterMs: 10, now: clock.now, faults: 'failPublish=Toy app' });
    const api = client(emu);
    const res = await api.publish(toyPublish());
    expect(res.body.state).toBe('QUEUED_TO_INITIALIZE');
    clock.advance(5);
    expect((await api.getApp(res.body.id, 1)).body).toMatchObject({ state: 'INITIALIZING', state_detail: null });
    clock.advance(5);
    expect((await api.getApp(res.body.id, 1)).body).toMatchObject({ state: 'FAILED', state_detail: DEFAULT_FAIL_DETAIL });
    expect((await api.getApp(res.body.id)).body.versions[0].state).toBe('FAILED');
  });

  it('failPublishNext=N with failDetail fails the next N publishes with that detail', async () => {
    const emu = await emulator({ faults: 'failPublishNext=1,failDetail=Solver licence missing' });
    const api = client(emu);
    const failed = await api.publish(toyPublish());
    const fine = await api.publish(toyPublish());
    expect((await api.getApp(failed.body.id, 1)).body).toMatchObject({ state: 'FAILED', state_detail: 'Solver licence missing' });
    expect((await api.getApp(fine.body.id, 2)).body).toMatchObject({ state: 'READY', state_detail: null });
    expect(emu.snapshot().apps[0]!.versions.map((v) => v.stateDetail)).toEqual(['Solver licence missing', null]);
  });

  it('a refused publish (400, 409) uses up no stuck or fail budget', async () => {
    const emu = await emulator({ faults: 'failPublishNext=1' });
    const api = client(emu);
    expect((await api.publish(toyPublish({ version: 4 }))).status).toBe(400);
    const res = await api.publish(toyPublish());
    expect((await api.getApp(res.body.id, 1)).body.state).toBe('FAILED');
    expect(emu.faultCounts().failPublish).toBe(1);
  });
});

describe('the late commit: 504 at once, committed later', () => {
  async function appsAppear(api: ReturnType<typeof client>): Promise<unknown[]> {
    // Bounded: the commit is due after 100-150 ms; give up after 10 s.
    for (let i = 0; i < 200; i++) {
      const apps = (await api.listApps()).body as unknown[];
      if (apps.length > 0) return apps;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return [];
  }

  it.each<[string, string | FaultSpec]>([
    ['the grammar', 'lateCommitNext=1,lateCommitMs=150'],
    ['a spec object (control API, setFaults)', { lateCommitRate: 1, maxLateCommit: 1, lateCommitMs: 100 }],
  ])('answers 504 with nothing committed yet, then commits the publish (%s)', async (_how, spec) => {
    const emu = await emulator();
    emu.setFaults(spec);
    const api = client(emu);
    const res = await api.publish(toyPublish());
    expect(res.status).toBe(504);
    expect((await api.listApps()).body).toEqual([]);
    const apps = await appsAppear(api);
    expect(apps).toHaveLength(1);
    expect(emu.snapshot().apps[0]!.versions.map((v) => v.version)).toEqual([1]);
    expect(emu.faultCounts().lateCommit).toBe(1);
    // The budget is spent: the next publish is answered as usual.
    expect((await api.publish(toyPublish())).status).toBe(201);
  });

  it('parses and writes back the late-commit keys', () => {
    const spec = parseFaultSpec('lateCommit=0.2,lateCommitMs=120000,maxLateCommit=10,lateCommitNext=2');
    expect(spec).toEqual({ lateCommitRate: 0.2, lateCommitMs: 120_000, maxLateCommit: 10, lateCommitNext: 2 });
    expect(parseFaultSpec(formatFaultSpec(spec))).toEqual(spec);
  });
});

describe('reproducibility and counting', () => {
  async function statuses(spec: string, paths: string[]): Promise<(number | null)[]> {
    const emu = await emulator({ faults: spec });
    const api = client(emu);
    for (const path of paths) await api.get(path).catch(() => undefined);
    return emu.requestLog().map((e) => e.status);
  }

  const fortyReads = Array.from({ length: 40 }, (_, i) => (i % 2 ? '/appshub/.rest/v2/apps/' : '/pseven/.rest/v2/workflows/'));

  it('the same seed gives the same faults for the same requests', async () => {
    const spec = 'rate503=0.3,rate429=0.2,reset=0.1,seed=42';
    const first = await statuses(spec, fortyReads);
    expect(await statuses(spec, fortyReads)).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 503, 429, null]));
    expect(await statuses(spec.replace('seed=42', 'seed=43'), fortyReads)).not.toEqual(first);
  });

  it('faults of one URL do not depend on how requests to other URLs interleave', async () => {
    const spec = 'rate503=0.5,seed=9';
    const apps = Array.from({ length: 20 }, () => '/appshub/.rest/v2/apps/');
    const alone = await statuses(spec, apps);
    const mixed = await statuses(spec, apps.flatMap((p) => [p, '/pseven/.rest/v2/workflows/']));
    expect(mixed.filter((_, i) => i % 2 === 0)).toEqual(alone);
  });

  it('every injected fault is counted, and setFaults starts the sequence again', async () => {
    const emu = await emulator({ faults: 'rate503=0.5,seed=3' });
    const api = client(emu);
    for (let i = 0; i < 20; i++) await api.listApps();
    const log = emu.requestLog();
    const injected = log.filter((e) => e.fault === '503').length;
    expect(injected).toBeGreaterThan(0);
    expect(emu.faultCounts()).toEqual({
      reset: 0,
      '503': injected,
      '429': 0,
      dropPublishResponse: 0,
      stuckQueued: 0,
      failPublish: 0,
      trickle: 0,
      tricklePublish: 0,
      lateCommit: 0,
      dropRunDeploy: 0,
      dropRunStart: 0,
      dropRunDelete: 0,
    });
    expect(emu.counts()).toEqual({ 'GET apps/': 20 });

    emu.setFaults('rate503=0.5,seed=3');
    for (let i = 0; i < 20; i++) await api.listApps();
    expect(emu.requestLog().slice(20).map((e) => e.status)).toEqual(log.map((e) => e.status));
    emu.setFaults(null);
    expect((await api.listApps()).status).toBe(200);
  });

  it('never touch the control API', async () => {
    const emu = await emulator({ faults: 'reset=1,rate503=1,latency=600000' });
    const res = await fetch(`${emu.controlUrl}state`, { headers: { Authorization: `Token ${emu.controlToken}` } });
    expect(res.status).toBe(200);
    expect(emu.requestLog()).toEqual([]);
  });
});
