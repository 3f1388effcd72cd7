// Request pacing on virtual time: nothing is paced until as many answers as
// connections have come back, then concurrent starts are spread by a share
// of the shortest time to first byte over the connections; a sequence of
// requests is never delayed, a gap too short for a timer is not paced, and
// an abort ends the wait.

import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { PACING_SHARE, RequestPacer, type PacingClock } from '../../src/appshub/pacing.js';
import { APPS, SERVER, rejection } from './helpers.js';
import { useNockedClients } from './nock-helpers.js';

interface VirtualClock extends PacingClock {
  t: number;
  sleeps: number[];
}

function virtualClock(): VirtualClock {
  const clock: VirtualClock = {
    t: 1000,
    sleeps: [],
    now: () => clock.t,
    sleep: async (ms) => {
      clock.sleeps.push(ms);
    },
  };
  return clock;
}

describe('RequestPacer', () => {
  const times = (ms: number, n: number) => Array.from({ length: n }, () => ms);
  it.each([
    ['nothing answered yet', [], 10, 0],
    ['fewer answers than connections: not yet (the first are often the slow lists)', [2000, 90, ...times(20, 7)], 10, 0],
    ['as many answers as connections: the shortest counts', [2000, 90, ...times(20, 8)], 10, (PACING_SHARE * 20) / 10],
    ['one connection', [20], 1, PACING_SHARE * 20],
    ['a gap under 1 ms is not paced (a fast local server)', times(5, 10), 10, 0],
    ['an instant answer turns pacing off', [...times(20, 9), 0], 10, 0],
    ['a nonsense duration is ignored, and not counted', [...times(20, 9), -3, Number.NaN], 10, 0],
  ])('%s: gap %s', (_name, answers, connections, gap) => {
    const pacer = new RequestPacer(connections, virtualClock());
    for (const ms of answers) pacer.answered(ms);
    expect(pacer.gapMs()).toBeCloseTo(gap, 10);
  });

  it('spreads requests that start together, one gap apart', async () => {
    const clock = virtualClock();
    const pacer = new RequestPacer(4, clock);
    for (let i = 0; i < 4; i++) pacer.answered(50); // gap 10 ms
    await Promise.all([pacer.turn(), pacer.turn(), pacer.turn(), pacer.turn()]);
    expect(clock.sleeps).toEqual([10, 20, 30]);
  });

  it('does not delay requests already a gap apart', async () => {
    const clock = virtualClock();
    const pacer = new RequestPacer(4, clock);
    for (let i = 0; i < 4; i++) pacer.answered(50);
    for (let i = 0; i < 5; i++) {
      await pacer.turn();
      clock.t += 12;
    }
    expect(clock.sleeps).toEqual([]);
  });

  it('waits only for what is left of the gap', async () => {
    const clock = virtualClock();
    const pacer = new RequestPacer(4, clock);
    for (let i = 0; i < 4; i++) pacer.answered(50);
    await pacer.turn();
    clock.t += 4;
    await pacer.turn();
    expect(clock.sleeps).toEqual([6]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s connections', (connections) => {
    expect(() => new RequestPacer(connections, virtualClock())).toThrow(RangeError);
  });
});

describe('the transport paces its requests', () => {
  const client = useNockedClients();

  /** The server answers after `ms` of virtual time. */
  function answersAfter(clock: VirtualClock, ms: number, times: number) {
    return nock(SERVER)
      .get(`${APPS}/apps/`)
      .times(times)
      .reply(() => {
        clock.t += ms;
        return [200, []];
      });
  }

  it('learns the time to first byte from as many answers as connections, then spreads concurrent requests', async () => {
    const pacing = virtualClock();
    const scope = answersAfter(pacing, 25, 5);
    const c = client({ connections: 2, pacingClock: pacing });
    await c.client.listApps();
    await c.client.listApps();
    expect(pacing.sleeps).toEqual([]);
    await Promise.all([c.client.listApps(), c.client.listApps(), c.client.listApps()]);
    scope.done();
    const gap = (PACING_SHARE * 25) / 2;
    expect(pacing.sleeps).toEqual([gap, 2 * gap]);
    // The wait is not the request's: durations are the wire's.
    expect(c.requests).toHaveLength(5);
  });

  it.each([
    ['after the first answer alone (often a slow list)', 2000, 1, {}],
    ['with pacing: false, however many answers came back', 25, 2, { pacing: false }],
  ])('does not pace concurrent requests %s', async (_when, answerMs, warmUp, options) => {
    const pacing = virtualClock();
    const scope = answersAfter(pacing, answerMs, warmUp + 3);
    const c = client({ connections: 2, pacingClock: pacing, ...options });
    for (let i = 0; i < warmUp; i++) await c.client.listApps();
    await Promise.all([c.client.listApps(), c.client.listApps(), c.client.listApps()]);
    scope.done();
    expect(pacing.sleeps).toEqual([]);
  });

  it('sends one request after another without waiting', async () => {
    const pacing = virtualClock();
    const scope = answersAfter(pacing, 25, 4);
    const c = client({ connections: 2, pacingClock: pacing });
    for (let i = 0; i < 4; i++) await c.client.listApps();
    scope.done();
    expect(pacing.sleeps).toEqual([]);
  });

  it('stops a paced request that is aborted while it waits, before it is sent', async () => {
    const pacing = virtualClock();
    const scope = answersAfter(pacing, 25, 3);
    const stop = new AbortController();
    pacing.sleep = async (ms) => {
      pacing.sleeps.push(ms);
      stop.abort(new Error('Interrupted'));
    };
    const c = client({ connections: 2, pacingClock: pacing });
    await c.client.listApps();
    await c.client.listApps();
    const [first, second] = await Promise.allSettled([c.client.listApps(), c.client.listApps(stop.signal)]);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    expect(pacing.sleeps).toHaveLength(1);
    scope.done();
    expect(nock.pendingMocks()).toEqual([]);
    expect(c.requests).toHaveLength(3);
    expect(await rejection(Promise.reject((second as PromiseRejectedResult).reason))).toMatchObject({ kind: 'aborted', ambiguous: false });
  });
});
