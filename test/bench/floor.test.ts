import { describe, expect, it } from 'vitest';
import { applyChains, catalogSeed, declaredCatalog, hasThumbnail } from '../../bench/catalog.js';
import {
  applyFloorMs,
  dependentRequests,
  median,
  minimalPlanRequests,
  pollRate,
  publishFloorMs,
  publishRounds,
  readFloorMs,
  readRounds,
  requestDifference,
  sequentialFloorMs,
  type ReadTarget,
} from '../../bench/floor.js';

const inSync = (versions: number[], defaultVersion: number, thumbnailCompared = false): ReadTarget => ({
  declaredVersions: versions,
  serverVersions: versions,
  serverDefaultVersion: defaultVersion,
  thumbnailCompared,
});

describe('minimalPlanRequests', () => {
  it.each<{ name: string; targets: ReadTarget[]; details: number; thumbnails: number }>([
    { name: 'no declared apps: the two lists only', targets: [], details: 0, thumbnails: 0 },
    { name: 'the default version comes with the list', targets: [inSync([1], 1)], details: 0, thumbnails: 0 },
    { name: 'every other declared version is read once', targets: [inSync([1, 2, 3], 3), inSync([1, 2, 3], 1)], details: 4, thumbnails: 0 },
    { name: 'a declared thumbnail costs one conditional request', targets: [inSync([1, 2], 2, true)], details: 1, thumbnails: 1 },
    {
      name: 'an app the server lacks is not read',
      targets: [{ declaredVersions: [1, 2, 3], serverVersions: [], serverDefaultVersion: null, thumbnailCompared: false }],
      details: 0,
      thumbnails: 0,
    },
    {
      name: 'a declared version the server lacks is not read',
      targets: [{ declaredVersions: [1, 2, 3], serverVersions: [1, 2], serverDefaultVersion: 2, thumbnailCompared: false }],
      details: 1,
      thumbnails: 0,
    },
    { name: 'a version declared twice is read once', targets: [inSync([1, 1, 2], 2)], details: 1, thumbnails: 0 },
  ])('$name', ({ targets, details, thumbnails }) => {
    expect(minimalPlanRequests(targets)).toEqual({
      'GET apps/': 1,
      'GET workflows/': 1,
      'GET apps/{id}@{v}/': details,
      'GET apps/{id}/thumbnail/': thumbnails,
    });
  });

  it('for the benchmark catalog: (V - 1) details per app and one request per declared thumbnail', () => {
    const shape = { apps: 1000, versions: 3, thumbnailShare: 0.1, newAppChains: [] };
    const { apps } = declaredCatalog(shape);
    const requests = minimalPlanRequests(apps.map((a, i) => inSync(a.versions.map((v) => v.version), a.defaultVersion, hasThumbnail(i, 0.1))));
    expect(requests).toEqual({ 'GET apps/': 1, 'GET workflows/': 1, 'GET apps/{id}@{v}/': 2000, 'GET apps/{id}/thumbnail/': 100 });
    expect(dependentRequests(requests)).toBe(2100);
  });
});

describe('the latency floor of a read', () => {
  it.each([
    { dependent: 0, parallelism: 10, rounds: 1 },
    { dependent: 1, parallelism: 10, rounds: 2 },
    { dependent: 10, parallelism: 10, rounds: 2 },
    { dependent: 11, parallelism: 10, rounds: 3 },
    { dependent: 2100, parallelism: 10, rounds: 211 },
    // One slot: the workflow list cannot ride beside the app list.
    { dependent: 3, parallelism: 1, rounds: 5 },
    { dependent: 3, parallelism: 2, rounds: 3 },
  ])('$dependent requests after the lists at parallelism $parallelism take $rounds rounds', ({ dependent, parallelism, rounds }) => {
    expect(readRounds(dependent, parallelism)).toBe(rounds);
  });

  it('is L per round, and L per request when sequential', () => {
    const requests = { 'GET apps/': 1, 'GET workflows/': 1, 'GET apps/{id}@{v}/': 2000, 'GET apps/{id}/thumbnail/': 100 };
    expect(readFloorMs(requests, 10, 20)).toBe(211 * 20);
    expect(sequentialFloorMs(requests, 20)).toBe(2102 * 20);
  });

  it('refuses a parallelism below 1', () => {
    expect(() => readRounds(5, 0)).toThrow(RangeError);
    expect(() => publishRounds([3], 0)).toThrow(RangeError);
  });
});

describe('the floor of an apply', () => {
  it.each([
    { readyAfterMs: 500, latencyMs: 20, floor: 520 },
    { readyAfterMs: 0, latencyMs: 20, floor: 40 },
    { readyAfterMs: 10, latencyMs: 20, floor: 40 },
  ])('one publish with R=$readyAfterMs, L=$latencyMs takes at least $floor ms', ({ readyAfterMs, latencyMs, floor }) => {
    expect(publishFloorMs(readyAfterMs, latencyMs)).toBe(floor);
  });

  it.each([
    { chains: [3, 3, 3], parallelism: 10, rounds: 3, why: 'the longest chain when every app has a slot' },
    { chains: Array.from({ length: 20 }, () => 3), parallelism: 10, rounds: 6, why: 'the publishes spread over the slots' },
    { chains: [5, 1, 1], parallelism: 2, rounds: 5, why: 'the longest chain beats the spread' },
    { chains: [], parallelism: 10, rounds: 0, why: 'nothing to publish' },
  ])('publish rounds: $why', ({ chains, parallelism, rounds }) => {
    expect(publishRounds(chains, parallelism)).toBe(rounds);
  });

  it('adds the plan read, the publishes and the convergence read', () => {
    const lists = { 'GET apps/': 1, 'GET workflows/': 1 };
    const floor = applyFloorMs({
      chains: Array.from({ length: 20 }, () => 3),
      parallelism: 10,
      latencyMs: 20,
      readyAfterMs: 500,
      planRequests: lists,
      convergeRequests: { ...lists, 'GET apps/{id}@{v}/': 40 },
    });
    expect(floor).toBe(20 + 6 * 520 + 5 * 20);
  });
});

describe('pollRate', () => {
  it.each([
    { name: 'one poll a second', gap: () => 1000, rate: 1 },
    { name: 'one poll every 5 s', gap: () => 5000, rate: 0.2 },
    { name: 'doubling gaps from 100 ms: polls at 6.3, 12.7, 25.5 and 51.1 s', gap: (n: number) => 100 * 2 ** n, rate: 4 / 55 },
  ])('$name', ({ gap, rate }) => {
    expect(pollRate(gap, 5000, 60_000)).toBeCloseTo(rate, 5);
  });

  it('refuses a gap that would never advance', () => {
    expect(() => pollRate(() => 0, 0, 1000)).toThrow(RangeError);
  });
});

describe('helpers', () => {
  it.each([
    { values: [], expected: Number.NaN },
    { values: [3], expected: 3 },
    { values: [5, 1, 3], expected: 3 },
    { values: [4, 1, 3, 2], expected: 2.5 },
  ])('median of $values is $expected', ({ values, expected }) => {
    expect(median(values)).toBe(expected);
  });

  it('lists only the endpoints whose counts differ', () => {
    expect(requestDifference({ a: 2, b: 1, c: 4 }, { a: 2, b: 2, d: 1 })).toEqual({ b: -1, c: 4, d: -1 });
  });

  it.each([
    { publishes: 60, chains: Array.from({ length: 20 }, () => 3) },
    { publishes: 7, chains: [3, 3, 1] },
    { publishes: 2, chains: [2] },
  ])('$publishes publishes go to apps of 3 versions, the last takes the rest', ({ publishes, chains }) => {
    expect(applyChains(publishes)).toEqual(chains);
  });

  it('seeds every catalog app as declared, with a workflow for every version (the new apps included)', () => {
    const shape = { apps: 4, versions: 2, thumbnailShare: 0.5, newAppChains: [3] };
    const seed = catalogSeed(shape, 'bench-token');
    const { apps, newApps } = declaredCatalog(shape);
    expect(seed.apps?.map((a) => [a.name, a.defaultVersion, a.versions.length, a.thumbnail !== undefined])).toEqual(
      apps.map((a) => [a.name, a.defaultVersion, 2, a.thumbnail !== undefined]),
    );
    expect(apps.filter((a) => a.thumbnail).length).toBe(2);
    expect(seed.workflows?.length).toBe(4 * 2 + 3);
    expect(newApps.map((a) => a.versions.length)).toEqual([3]);
  });
});
