// The images of the HTML reports: which ones are fetched (only what planning
// did not already prove equal), what is inlined (exact bytes, recognised
// images only, capped), and what is said instead when an image cannot be
// shown. End to end through the CLI against the emulator, and the pure parts
// directly.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { DesiredState } from '../../src/config/desired.js';
import type { ObservedState } from '../../src/plan/observed.js';
import { gatherThumbnails, inlineImage, MAX_INLINE_IMAGE_BYTES } from '../../src/report/thumbnails.js';
import { pngBytes } from '../emulator/png.js';
import { desiredApp, desiredState, observedApp, observedState } from '../plan/builders.js';
import { IMAGES, startReportWorld, type ReportWorld } from './report-world.js';

let world: ReportWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

const dataUri = (bytes: Uint8Array | string, type = 'image/png') => `data:${type};base64,${Buffer.from(bytes).toString('base64')}`;

/** GETs of each app's thumbnail, by app name, from the emulator's log. */
function thumbnailReads(w: ReportWorld): Record<string, number> {
  const names = new Map(w.emulator.snapshot().apps.map((app) => [app.id, app.name]));
  const reads: Record<string, number> = {};
  for (const entry of w.emulator.requestLog()) {
    const id = /apps\/([0-9a-f]+)\/thumbnail\//.exec(entry.path)?.[1];
    if (entry.method === 'GET' && id !== undefined) reads[names.get(id)!] = (reads[names.get(id)!] ?? 0) + 1;
  }
  return reads;
}

describe('the thumbnails of plan --format html and drift --format html', () => {
  it.each([
    ['plan', ['plan']],
    ['drift', ['drift']],
  ])('%s: fetches again only the server images planning did not prove equal to the config', async (_name, command) => {
    world = await startReportWorld();
    await world.run([...command, '--format', 'human']);
    // Planning reads the thumbnails the config declares (Gearbox answers 304: equal).
    expect(thumbnailReads(world)).toEqual({ 'Beam Designer': 1, Gearbox: 1 });
    world.emulator.clearLog();

    const run = await world.run([...command, '--format', 'html']);
    // Beam Designer's differs, so its bytes are fetched to be shown; Scratch's was never read; Gearbox's is the config's.
    expect(thumbnailReads(world)).toEqual({ 'Beam Designer': 2, Gearbox: 1, Scratch: 1 });
    expect(run.stderr).not.toContain('Error: unexpected');
    for (const [file, type] of [
      ['beam-new.png', 'image/png'],
      ['beam-old.png', 'image/png'],
      ['gear.png', 'image/png'],
      ['scratch.png', 'image/png'],
      ['pump.svg', 'image/svg+xml'],
    ] as const) {
      expect(run.stdout, file).toContain(`src="${dataUri(IMAGES[file]!, type)}"`);
    }
    // The same image on both sides of Gearbox: the config's bytes, twice.
    expect(run.stdout.split(dataUri(IMAGES['gear.png']!)).length - 1).toBe(2);
    expect(run.stdout).toContain('same image');
  });

  it('says why a server image is not shown when the server refuses it, and does not ask twice for one planning could not read', async () => {
    world = await startReportWorld({ profiles: ['full', 'thumbnail-forbidden'] });
    const run = await world.run(['drift', '--format', 'html']);
    expect(run.code).toBe(2);
    // What the server said, quoted (and entity-escaped).
    expect(run.stdout).toContain('could not be read while planning: &quot;HTTP 403&quot;');
    expect(run.stdout).toContain('could not be read: &quot;HTTP 403&quot;');
    // Beam Designer and Gearbox once each (planning), Scratch once (the report).
    expect(thumbnailReads(world)).toEqual({ 'Beam Designer': 1, Gearbox: 1, Scratch: 1 });
    // The config's images are still shown.
    expect(run.stdout).toContain(`src="${dataUri(IMAGES['beam-new.png']!)}"`);
  });

  it('show --format html renders a saved plan without images, saying so', async () => {
    world = await startReportWorld();
    const saved = path.join(world.dir, 'plan.json');
    await world.run(['plan', '--exclude-app', 'Valve', '--out', saved]);
    const run = await world.run(['show', saved, '--format', 'html']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('<!doctype html>');
    expect(run.stdout).not.toContain('<img');
    expect(run.stdout).toContain('not in this report');
  });
});

describe('inlineImage', () => {
  const png = pngBytes([1, 2, 3], 4);
  it.each<[string, Uint8Array, number, object]>([
    ['a PNG', png, MAX_INLINE_IMAGE_BYTES, { kind: 'image', dataUri: dataUri(png), mediaType: 'image/png', size: png.length }],
    ['an SVG', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'), 1000, { kind: 'image', mediaType: 'image/svg+xml' }],
    ['an image over the cap', png, png.length - 1, { kind: 'missing', text: `too large to show here (${png.length} B; the report shows up to ${png.length - 1} B)` }],
    ['bytes that are no image', new TextEncoder().encode('<html><script>alert(1)</script>'), 1000, { kind: 'missing', text: 'not a PNG, JPEG, GIF, WebP or SVG image' }],
  ])('%s', (_name, bytes, cap, expected) => {
    expect(inlineImage(bytes, cap)).toMatchObject(expected);
  });
});

describe('gatherThumbnails: the config side', () => {
  let dir: string;
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const noServerReads = { fetchThumbnail: () => Promise.reject(new Error('no server read is expected here')) };

  async function gather(bytesOnDisk: Uint8Array | null, declared: Uint8Array, size = declared.length) {
    dir = await mkdtemp(path.join(tmpdir(), 'p7apps-thumbs-'));
    const file = path.join(dir, 'icon.png');
    if (bytesOnDisk) await writeFile(file, bytesOnDisk);
    const sha256 = createHash('sha256').update(declared).digest('hex');
    const desired: DesiredState = desiredState(
      desiredApp('Icon', { 1: 'A' }, { thumbnail: { path: file, filename: 'icon.png', mediaType: 'image/png', sha256, declaredAs: 'icon.png', size } }),
      desiredApp('Plain', { 1: 'A' }),
    );
    const observed: ObservedState = observedState([observedApp('Icon', { 1: 'A' }, { thumbnail: null }), observedApp('Plain', { 1: 'A' }, { thumbnail: null })]);
    return gatherThumbnails(noServerReads, desired, observed, { maxImageBytes: 1000 });
  }

  it.each<[string, Uint8Array | null, Uint8Array, number | undefined, object]>([
    ['the file as loaded', pngBytes([9, 9, 9]), pngBytes([9, 9, 9]), undefined, { kind: 'image', dataUri: dataUri(pngBytes([9, 9, 9])) }],
    ['a file changed since the config was loaded', pngBytes([1, 1, 1]), pngBytes([9, 9, 9]), undefined, { kind: 'missing', text: 'icon.png changed since the config was read' }],
    ['a file gone since', null, pngBytes([9, 9, 9]), undefined, { kind: 'missing', text: 'icon.png could not be read (ENOENT)' }],
    ['a file over the cap, not read at all', null, pngBytes([9, 9, 9]), 5000, { kind: 'missing', text: 'too large to show here (4.9 KiB; the report shows up to 1000 B)' }],
  ])('%s', async (_name, onDisk, declared, size, expected) => {
    const found = await gather(onDisk, declared, size);
    expect(found.managed.get('Icon')).toEqual({ config: expect.objectContaining(expected), server: { kind: 'missing', text: 'no thumbnail' } });
    expect(found.managed.get('Plain')).toEqual({ config: { kind: 'missing', text: 'not managed by the config' }, server: { kind: 'missing', text: 'no thumbnail' } });
  });
});
