// The HTML reports in a real headless Chromium: `plan --format html` and
// `drift --format html` run against the emulator, the pages are loaded from
// files, and the test checks what the browser rendered: the number of app
// cards, every thumbnail decoded, the filters changing what is shown (so the
// inline script ran under the page's Content-Security-Policy), no console
// error or CSP violation, and no network request at all. Screenshots are kept
// in test-artifacts/ (CI keeps that folder as an artifact).

import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser, type BrowserPage } from '../helpers/headless-browser.js';
import { startReportWorld, type ReportWorld } from '../report/report-world.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

let world: ReportWorld;
let browser: Browser;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  world = await startReportWorld();
  // Generous: on a loaded machine Chromium can take many seconds to start.
  browser = await launchBrowser({ timeoutMs: 40_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
}, 30_000);

/** What the page did that it must not: console errors, exceptions, CSP violations, requests. */
function misbehaviour(page: BrowserPage, pageUrl: string): string[] {
  const problems: string[] = [];
  for (const { method, params } of page.events) {
    if (method === 'Runtime.exceptionThrown') problems.push(`exception: ${JSON.stringify(params.exceptionDetails)}`);
    if (method === 'Runtime.consoleAPICalled' && ['error', 'warning', 'assert'].includes(String(params.type))) problems.push(`console ${String(params.type)}: ${JSON.stringify(params.args)}`);
    const entry = params.entry as { level?: string; text?: string } | undefined;
    if (method === 'Log.entryAdded' && entry && ['error', 'warning'].includes(String(entry.level))) problems.push(`log ${entry.level}: ${entry.text}`);
    const request = params.request as { url?: string } | undefined;
    if (method === 'Network.requestWillBeSent' && request?.url !== pageUrl && !String(request?.url).startsWith('data:')) problems.push(`request: ${request?.url}`);
  }
  return problems;
}

async function load(html: string, name: string): Promise<{ page: BrowserPage; url: string }> {
  const file = path.join(ARTIFACTS, `${name}.html`);
  await writeFile(file, html);
  const url = pathToFileURL(file).href;
  const page = await browser.open();
  await Promise.all([page.send('Page.enable'), page.send('Runtime.enable'), page.send('Log.enable'), page.send('Network.enable')]);
  await page.send('Emulation.setDeviceMetricsOverride', { width: 1100, height: 900, deviceScaleFactor: 1, mobile: false });
  const loaded = page.waitFor('Page.loadEventFired');
  await page.send('Page.navigate', { url });
  await loaded;
  return { page, url };
}

async function screenshot(page: BrowserPage, name: string): Promise<void> {
  const metrics = (await page.send('Page.getLayoutMetrics')) as { cssContentSize: { width: number; height: number } };
  const { width, height } = metrics.cssContentSize;
  const shot = (await page.send('Page.captureScreenshot', {
    format: 'png',
    captureBeyondViewport: true,
    clip: { x: 0, y: 0, width: Math.ceil(width), height: Math.min(Math.ceil(height), 8000), scale: 1 },
  })) as { data: string };
  const bytes = Buffer.from(shot.data, 'base64');
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  await writeFile(path.join(ARTIFACTS, `${name}.png`), bytes);
}

/** Sets the filter checkboxes (by tag) as given, as a person clicking them would; returns the cards shown and the counter's words. */
async function filterTo(page: BrowserPage, checked: Record<string, boolean>): Promise<{ visible: string[]; said: string }> {
  return page.evaluate(`(() => {
    const want = ${JSON.stringify(checked)};
    for (const box of document.querySelectorAll('input[data-filter]')) {
      const tag = box.getAttribute('data-filter');
      if (tag in want && box.checked !== want[tag]) box.click();
    }
    const visible = [...document.querySelectorAll('section.card')].filter((card) => card.checkVisibility()).map((card) => card.querySelector('h2').textContent);
    return { visible, said: document.getElementById('shown').textContent };
  })()`);
}

const IMAGES = `[...document.images].map((img) => ({ alt: img.alt, complete: img.complete, width: img.naturalWidth }))`;

describe('the HTML reports in headless Chromium', () => {
  it('plan: every app a card, every thumbnail decoded, filters work, no error, no request', async () => {
    const run = await world.run(['plan', '--format', 'html']);
    // Valve's conflict makes plan exit 1; the page is written first.
    expect(run.code).toBe(1);
    const { page, url } = await load(run.stdout, 'plan-report');

    const cards = await page.evaluate<string[]>(`[...document.querySelectorAll('section.card h2')].map((h) => h.textContent)`);
    expect(cards).toEqual(['Beam Designer', 'Gearbox', 'Mixer', 'Pump', 'Valve', 'Scratch']);
    const images = await page.evaluate<Array<{ alt: string; complete: boolean; width: number }>>(IMAGES);
    expect(images.map((i) => i.alt)).toEqual([
      'Thumbnail of Beam Designer in the config',
      'Thumbnail of Beam Designer on the server',
      'Thumbnail of Gearbox in the config',
      'Thumbnail of Gearbox on the server',
      'Thumbnail of Pump in the config',
      'Thumbnail of Scratch on the server',
    ]);
    for (const image of images) expect(image, image.alt).toMatchObject({ complete: true, width: expect.any(Number) });
    expect(images.every((i) => i.width > 0)).toBe(true);
    // The diff is highlighted: an added and a removed line for Beam Designer, an inserted word for Mixer, all of new Pump's.
    expect(await page.evaluate<number>(`document.querySelectorAll('pre.diff .line.add, pre.diff .line.del').length`)).toBe(2);
    expect(await page.evaluate<string[]>(`[...document.querySelectorAll('pre.diff ins')].map((e) => e.textContent)`)).toEqual(['quickly', 'Sizes pumps.']);

    await screenshot(page, 'plan-report');

    expect(await filterTo(page, { 'no-change': false })).toEqual({ visible: ['Beam Designer', 'Mixer', 'Pump', 'Valve', 'Scratch'], said: '5 of 6 apps shown' });
    const none = Object.fromEntries(['create', 'publish', 'republish', 'default', 'settings', 'conflict', 'no-change', 'unmanaged'].map((t) => [t, false]));
    expect(await filterTo(page, none)).toEqual({ visible: [], said: '0 of 6 apps shown' });
    expect(await filterTo(page, { republish: true })).toEqual({ visible: ['Beam Designer'], said: '1 of 6 apps shown' });
    expect(await filterTo(page, { republish: false, default: true, create: true })).toEqual({ visible: ['Mixer', 'Pump'], said: '2 of 6 apps shown' });

    expect(misbehaviour(page, url)).toEqual([]);
  }, 90_000);

  it('drift: every app a card with its status, thumbnails decoded, filters work, no error, no request', async () => {
    const run = await world.run(['drift', '--format', 'html']);
    expect(run.code).toBe(2);
    const { page, url } = await load(run.stdout, 'drift-report');

    const cards = await page.evaluate<Array<[string, string]>>(
      `[...document.querySelectorAll('section.card')].map((c) => [c.querySelector('h2').textContent, c.querySelector('.badge').textContent])`,
    );
    expect(cards).toEqual([
      ['Beam Designer', 'drifted'],
      ['Gearbox', 'in sync'],
      ['Mixer', 'drifted'],
      ['Pump', 'missing'],
      ['Scratch', 'not in the config'],
      ['Valve', 'conflict'],
    ]);
    const images = await page.evaluate<Array<{ alt: string; complete: boolean; width: number }>>(IMAGES);
    expect(images).toHaveLength(6);
    expect(images.filter((i) => !i.complete || i.width === 0)).toEqual([]);

    await screenshot(page, 'drift-report');

    expect(await filterTo(page, { 'in-sync': false, unmanaged: false })).toEqual({ visible: ['Beam Designer', 'Mixer', 'Pump', 'Valve'], said: '4 of 6 apps shown' });
    expect(await filterTo(page, { drifted: false, missing: false })).toEqual({ visible: ['Valve'], said: '1 of 6 apps shown' });

    expect(misbehaviour(page, url)).toEqual([]);
  }, 90_000);

  it('the checks above see what a misbehaving page does: a request, a CSP violation', async () => {
    // The report's own CSP, on a page that breaks it: an image from elsewhere and a script the policy does not name.
    const page = await world.run(['drift', '--format', 'html']);
    const csp = /<meta http-equiv="Content-Security-Policy" content="[^"]*">/.exec(page.stdout)![0];
    const bad = `<!doctype html><html><head>${csp}</head><body><img src="http://127.0.0.1:9/x.png"><script>console.error('boom')</script></body></html>`;
    const loaded = await load(bad, 'misbehaving-page');
    const problems = misbehaviour(loaded.page, loaded.url);
    expect(problems.some((p) => p.includes('Content Security Policy') && p.includes('127.0.0.1:9'))).toBe(true);
    expect(problems.some((p) => p.includes('Content Security Policy') && p.includes('script'))).toBe(true);
    // The attempt is seen even though the policy blocks it, so the report pages make none at all.
    expect(problems).toContain('request: http://127.0.0.1:9/x.png');
    // The script the policy does not name never ran.
    expect(problems.filter((p) => p.includes('boom'))).toEqual([]);
  }, 90_000);
});
