// Every hostile string of the corpus, as every kind of server or config text
// (app names, descriptions, workspace names and ids, workflow paths, states,
// state details, thumbnail URLs, error details), through every renderer:
// terminals get no raw control, bidi or invisible character and no line a
// value started; JSON stays valid and faithful with nothing raw a terminal
// would act on; JUnit stays well-formed XML; Markdown keeps its structure.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ApplyEvent, ApplyListener, PublishReport } from '../../src/apply/events.js';
import type { ApplyResult } from '../../src/apply/execute.js';
import { unreadable } from '../../src/appshub/types.js';
import type { ConfigDraft } from '../../src/import/draft.js';
import { renderConfigJson } from '../../src/import/render-json.js';
import { renderConfigTs } from '../../src/import/render-ts.js';
import { renderConfigYaml } from '../../src/import/render-yaml.js';
import { computeDrift } from '../../src/plan/drift.js';
import { computePlan } from '../../src/plan/compute.js';
import type { Plan } from '../../src/plan/types.js';
import { renderDriftHtml } from '../../src/render/drift-html.js';
import { renderDriftHuman } from '../../src/render/drift-human.js';
import { renderDriftJson } from '../../src/render/drift-json.js';
import { renderDriftJunit } from '../../src/render/drift-junit.js';
import { renderDriftMarkdown } from '../../src/render/drift-markdown.js';
import { escapeUnsafe, hasUnsafeChars, jsonText, markdownCode, markdownText, xmlText } from '../../src/render/escape.js';
import { renderPlanHtml } from '../../src/render/plan-html.js';
import { renderPlanHuman } from '../../src/render/plan-human.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { progressJsonLines } from '../../src/render/progress-jsonl.js';
import { progressLines } from '../../src/render/progress-lines.js';
import { renderApplySummary } from '../../src/render/progress-summary.js';
import { progressTty } from '../../src/render/progress-tty.js';
import { palette, renderToString, terminalLine } from '../../src/render/text.js';
import type { DriftRenderer, PlanRenderer, ReportThumbnails } from '../../src/render/types.js';
import { inlineImage } from '../../src/report/thumbnails.js';
import { pngBytes } from '../emulator/png.js';
import { forgedLines, HOSTILE_STRINGS, RAW_UNSAFE, withoutStructure, withoutTtyStructure } from '../fixtures/hostile-strings.js';
import { ALL_WORKFLOWS, desiredApp, desiredState, desiredThumbnail, observedApp, observedState, sha, workflowsFor } from '../plan/builders.js';

/** A plan with `s` in every kind of text a plan shows, from the server and from the config. */
function hostilePlan(s: string): Plan {
  const failed = observedApp('Failed', { 1: { workflow: 'C', state: 'FAILED' } });
  failed.versions[0]!.stateDetail = s;
  const desired = desiredState(
    // Protected: its name is also in the guard's verdict (protected apps and the steps that need --allow-protected).
    desiredApp(`App ${s}`, { 1: 'A' }, { description: `Config ${s}\nsecond line\n`, protect: true }),
    desiredApp('Short', { 1: 'B' }, { description: `config ${s}` }),
    desiredApp('Failed', { 1: 'C' }),
    desiredApp('Odd state', { 1: 'C' }),
    desiredApp('Thumb', { 1: 'D' }, { thumbnail: desiredThumbnail('t') }),
    desiredApp('Moved', { 1: 'E' }),
    desiredApp('Elsewhere', { 1: 'Gear' }),
    desiredApp(`New ${s}`, { 1: 'Beam' }, { description: s, workspace: { name: s } }),
    desiredApp('Unreadable', { 1: 'Old' }, { description: 'Valve sizing.' }),
  );
  const observed = observedState(
    [
      observedApp(`App ${s}`, { 1: 'A' }, { id: `id-${s}`, description: `Server ${s}\nsecond line\n` }),
      observedApp('Short', { 1: 'B' }, { description: `server ${s}` }),
      failed,
      observedApp('Odd state', { 1: { workflow: 'C', state: s } }),
      observedApp('Thumb', { 1: 'D' }, { thumbnail: { url: `https://cdn.example/${s}.png`, sha256: sha('x') } }),
      observedApp('Moved', { 1: { workflow: 'E', path: `/Users/1/${s}.p7wf` } }),
      observedApp('Elsewhere', { 1: 'Gear' }, { workspace: { id: s, name: s } }),
      observedApp('Unreadable', { 1: 'Old' }, { description: unreadable(s) }),
      observedApp(s, { 1: 'A' }, { id: s, workspace: { id: s, name: s } }),
    ],
    workflowsFor(ALL_WORKFLOWS),
  );
  return computePlan(desired, observed);
}

/** A harmless string the planner reads the same way: a state that names an error or a failure counts as failed. */
const benignFor = (s: string) => (/error|fail/i.test(s) ? 'CANARY error' : 'CANARY');

const planRender = (renderer: PlanRenderer, s: string, color = false) =>
  renderToString((out) => renderer(hostilePlan(s), out, { color, verbose: true }));
const driftRender = (renderer: DriftRenderer, s: string, color = false) =>
  renderToString((out) => renderer(computeDrift(hostilePlan(s), { failOnUnmanaged: true }), out, { color, verbose: true }));

/** Every string anywhere in a JSON value. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
  return [];
}

/** Raw characters JSON text must not carry (C0 is escaped by JSON itself; the rest by jsonText). */
const JSON_RAW = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

function expectTerminalSafe(text: string, strip = withoutStructure): void {
  expect(strip(text)).not.toMatch(RAW_UNSAFE);
  expect(forgedLines(text)).toEqual([]);
  // The value is shown, escaped, not dropped.
  expect(text.replace(/\\u200b/g, '')).toContain('CANARY');
}

function expectFaithfulJson(text: string, s: string): void {
  expect(text.replace(/\n/g, '')).not.toMatch(JSON_RAW);
  for (const line of text.trim().split('\n').filter((l) => l.startsWith('{') && l.endsWith('}'))) expect(() => JSON.parse(line)).not.toThrow();
  const values = text.trim().startsWith('{"formatVersion"') ? text.trim().split('\n').map((l) => JSON.parse(l)) : [JSON.parse(text)];
  expect(stringsIn(values).some((v) => v.includes(s))).toBe(true);
}

/**
 * The Markdown's block structure: for each line outside a code fence, what
 * kind of line it is, and for table rows the number of cells. A value that
 * started a line, closed a fence or split a cell changes it.
 */
function markdownSkeleton(text: string): string[] {
  const kinds: string[] = [];
  let fence: number | null = null;
  for (const line of text.split('\n')) {
    if (fence !== null) {
      const close = /^ {0,3}(`+)\s*$/.exec(line);
      if (close && close[1]!.length >= fence) {
        fence = null;
        kinds.push('fence-close');
      }
      continue;
    }
    const open = /^ {0,3}(`{3,})diff$/.exec(line);
    if (open) {
      fence = open[1]!.length;
      kinds.push('fence-open');
    } else if (line.startsWith('|')) kinds.push(`table:${line.replace(/\\\|/g, '').split('|').length}`);
    else if (line.startsWith('<details')) kinds.push('details');
    else if (line === '</details>') kinds.push('/details');
    else kinds.push(/^(#+|>|-|\s*\*\*To do)/.exec(line)?.[0].trim() ?? (line === '' ? 'blank' : 'text'));
  }
  return kinds;
}

/** The Markdown without its code (fenced blocks and code spans), where everything is shown literally. */
function outsideCode(text: string): string {
  const kept: string[] = [];
  let fence: number | null = null;
  for (const line of text.split('\n')) {
    if (fence === null) {
      const open = /^ {0,3}(`{3,})diff$/.exec(line);
      if (open) fence = open[1]!.length;
      else kept.push(line.replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, ''));
    } else if ((/^ {0,3}(`+)\s*$/.exec(line)?.[1]?.length ?? 0) >= fence) {
      fence = null;
    }
  }
  return kept.join('\n');
}

function expectMarkdownSafe(text: string, benign: string): void {
  expect(text.replace(/\n/g, '')).not.toMatch(RAW_UNSAFE);
  // Sorted: apps are listed by name, and a name starting with [ or < sorts elsewhere than the benign one.
  expect(markdownSkeleton(text).sort()).toEqual(markdownSkeleton(benign).sort());
  for (const raw of ['<script', '<img', '<evil', '</summary></details>CANARY']) expect(outsideCode(text)).not.toContain(raw);
  // A link needs an unescaped ](.
  expect(outsideCode(text)).not.toMatch(/(?<!\\)\]\(https:\/\/evil/);
}

/**
 * Every tag of an HTML page with its attribute values left out: a value that
 * opened or closed an element, or broke out of an attribute, changes it.
 * (Text and attribute values hold no raw < or >, so every < starts a tag.)
 */
function htmlSkeleton(text: string): string[] {
  return [...text.matchAll(/<[^>]*>/g)].map((m) => m[0].replace(/="[^"]*"/g, '=""')).sort();
}

/** An image for every app of the hostile plan, so names reach alt attributes too. */
function hostileGallery(s: string): ReportThumbnails {
  const image = inlineImage(pngBytes([1, 2, 3]));
  const names = [`App ${s}`, 'Short', 'Failed', 'Odd state', 'Thumb', 'Moved', 'Elsewhere', `New ${s}`, 'Unreadable'];
  return {
    managed: new Map(names.map((name) => [name, { config: image, server: { kind: 'missing', text: `could not be read: ${JSON.stringify(s)}` } }])),
    unmanaged: new Map([[s, { config: { kind: 'missing', text: 'not in the config' }, server: image }]]),
  };
}

function expectHtmlSafe(text: string, benign: string): void {
  expect(text.replace(/\n/g, '')).not.toMatch(RAW_UNSAFE);
  expect(htmlSkeleton(text)).toEqual(htmlSkeleton(benign));
  expect(text.replace(/\\u200b/g, '')).toContain('CANARY');
}

function expectWellFormedXml(text: string, s: string): void {
  expect(XMLValidator.validate(text)).toBe(true);
  expect(text.replace(/\n/g, '')).not.toMatch(RAW_UNSAFE);
  const parsed = new XMLParser({ ignoreAttributes: false }).parse(text) as { testsuites: { testsuite: { testcase: { '@_name': string }[] } } };
  const names = parsed.testsuites.testsuite.testcase.map((t) => t['@_name']);
  // The attribute value, its entities decoded by the parser, is the value shown escaped.
  expect(names).toContain(escapeUnsafe(s));
}

describe.each(HOSTILE_STRINGS)('%s', (_name, s) => {
  it.each<[string, PlanRenderer | DriftRenderer, 'plan' | 'drift', boolean]>([
    ['plan human', renderPlanHuman, 'plan', false],
    ['plan human in colour', renderPlanHuman, 'plan', true],
    ['drift human', renderDriftHuman, 'drift', false],
    ['drift human in colour', renderDriftHuman, 'drift', true],
  ])('%s: nothing raw reaches the terminal, no value starts a line', (_format, renderer, kind, color) => {
    const text = kind === 'plan' ? planRender(renderer as PlanRenderer, s, color) : driftRender(renderer as DriftRenderer, s, color);
    expectTerminalSafe(text);
    if (!color) expect(text).not.toContain('\u001b');
  });

  it.each<[string, () => string]>([
    ['plan json (the saved plan)', () => planRender(renderPlanJson, s)],
    ['drift json', () => driftRender(renderDriftJson, s)],
  ])('%s: valid, faithful, nothing raw', (_format, render) => {
    expectFaithfulJson(render(), s);
  });

  it.each<[string, () => string, () => string]>([
    ['plan markdown', () => planRender(renderPlanMarkdown, s), () => planRender(renderPlanMarkdown, benignFor(s))],
    ['drift markdown', () => driftRender(renderDriftMarkdown, s), () => driftRender(renderDriftMarkdown, benignFor(s))],
  ])('%s: keeps its structure, opens no link, fence or HTML', (_format, render, benign) => {
    expectMarkdownSafe(render(), benign());
  });

  it.each<[string, (value: string) => string]>([
    ['plan html', (value) => renderToString((out) => renderPlanHtml(hostilePlan(value), out, { color: false, verbose: true, thumbnails: hostileGallery(value) }))],
    [
      'drift html',
      (value) =>
        renderToString((out) => renderDriftHtml(computeDrift(hostilePlan(value), { failOnUnmanaged: true }), out, { color: false, verbose: true, thumbnails: hostileGallery(value) })),
    ],
  ])('%s: the same elements and attributes as for a harmless value, nothing raw', (_format, render) => {
    // The harmless value keeps the line breaks: a description's lines are diffed line by line, one element each.
    expectHtmlSafe(render(s), render(s.replace(/[^\r\n]+/g, benignFor)));
  });

  it('drift junit: well-formed XML, nothing XML 1.0 forbids', () => {
    expectWellFormedXml(driftRender(renderDriftJunit, s), `App ${s}`);
  });

  describe('apply progress', () => {
    const app = `App ${s}`;
    const at = Date.UTC(2026, 0, 1, 10);
    const ref = { app, step: 1, version: 1 };
    const events: ApplyEvent[] = [
      { type: 'app-skipped', at, app: `Early ${s}`, reason: 'conflict', detail: s },
      { type: 'apply-start', at, apps: [{ app, publishes: 1 }], publishes: 1, parallelism: 1, timeoutMs: 60_000 },
      { type: 'publish-start', at, ...ref, of: 1, creates: 'app', setAsDefault: true, workflowPath: `/Users/1/${s}.p7wf`, reasons: [] },
      { type: 'publish-ambiguous', at, ...ref, attempt: 1, error: s },
      { type: 'publish-recheck', at, ...ref, tookEffect: true, appId: s, detail: s },
      { type: 'publish-sent', at, ...ref, appId: s, attempt: 1, response: { version: 1, revision: 0, state: s } },
      { type: 'poll', at, ...ref, appId: s, state: s, revision: 0, polls: 1, elapsedMs: 10 },
      { type: 'poll', at, ...ref, appId: s, state: null, revision: null, polls: 2, elapsedMs: 20, error: s },
      { type: 'publish-failed', at, ...ref, outcome: 'failed', error: `${app} v1 failed to publish: ${s}`, elapsedMs: 30 },
      { type: 'app-done', at, app, appId: s, outcome: 'failed', ready: 0, skipped: [] },
      { type: 'app-skipped', at, app: `Other ${s}`, reason: 'conflict', detail: s },
      { type: 'interrupted', at, inFlight: [app] },
      {
        type: 'apply-done',
        at,
        interrupted: false,
        totals: { planned: 1, ready: 0, failed: 1, timedOut: 0, skipped: 0, notStarted: 0, unconfirmed: 0, requestsSent: 1, resends: 0 },
        elapsedMs: 30,
        publishes: [],
      },
      { type: 'converge-done', at, converged: false, remaining: [{ app, reasons: [s], conflicts: [s] }] },
    ];
    const run = (listen: (out: NodeJS.WritableStream) => ApplyListener) =>
      renderToString((out) => {
        const listener = listen(out);
        for (const event of events) listener.emit(event);
        listener.close?.();
      });

    it.each<[string, (out: NodeJS.WritableStream) => ApplyListener, (text: string) => string]>([
      ['CI lines', (out) => progressLines(out), withoutStructure],
      ['the TTY view', (out) => progressTty(Object.assign(out, { columns: 120 }), { color: false, tickMs: null }), withoutTtyStructure],
      ['the TTY view in colour', (out) => progressTty(Object.assign(out, { columns: 60 }), { color: true, tickMs: null }), withoutTtyStructure],
    ])('%s: nothing raw reaches the terminal', (_view, listen, strip) => {
      expectTerminalSafe(run(listen), strip);
    });

    it('JSON lines: one valid, faithful object per line, nothing raw', () => {
      const text = run((out) => progressJsonLines(out));
      expect(text.trim().split('\n')).toHaveLength(events.length);
      expectFaithfulJson(text, s);
    });

    it.each([false, true])('the summary (colour %s): nothing raw reaches the terminal', (color) => {
      const publish: PublishReport = { ...ref, appId: s, creates: 'app', revision: null, outcome: 'failed', timeToReadyMs: null, polls: 1, resends: 0, error: `${app} v1 failed to publish: ${s}` };
      const result: ApplyResult = {
        interrupted: false,
        apps: [],
        publishes: [publish, { ...publish, outcome: 'unconfirmed', error: s }, { ...publish, outcome: 'ready', timeToReadyMs: 5, error: null }],
        skippedApps: [{ app: `Skipped ${s}`, reason: 'conflict', detail: s }],
        totals: { planned: 3, ready: 1, failed: 1, timedOut: 0, skipped: 0, notStarted: 0, unconfirmed: 1, requestsSent: 3, resends: 0 },
        elapsedMs: 30,
      };
      for (const convergence of [{ remaining: [{ app, reasons: [s], conflicts: [s] }] }, { error: s }]) {
        const text = renderToString((out) => renderApplySummary({ result, refused: [{ app: `Refused ${s}`, detail: s }], convergence }, out, { color }));
        expectTerminalSafe(text);
      }
    });
  });
});

describe.each(HOSTILE_STRINGS)('a config written by import, with %s in names, descriptions, paths and comments', (_name, s) => {
  const draft: ConfigDraft = {
    serverUrl: 'https://pseven.example.com',
    header: [`imported ${s}`],
    defaults: { workspace: `Space ${s}` },
    apps: [{ name: `App ${s}`, description: `Line one ${s}\nline two`, versions: [{ version: 1, workflow: `/Users/1/${s}.p7wf` }], comments: [`note ${s}`] }],
  };

  it.each<[string, () => string]>([
    ['TypeScript', () => renderConfigTs(draft)],
    ['YAML', () => renderConfigYaml(draft)],
    ['JSON', () => renderConfigJson(draft)],
  ])('%s: no raw control, bidi or invisible character', (_format, render) => {
    expect(render().replace(/\n/g, '')).not.toMatch(RAW_UNSAFE);
  });

  it('YAML reads back as the same values', () => {
    const value = parseYaml(renderConfigYaml(draft)) as { apps: { name: string; description: string; versions: { workflow: string }[] }[] };
    expect(value.apps[0]).toMatchObject({ name: `App ${s}`, description: `Line one ${s}\nline two`, versions: [{ workflow: `/Users/1/${s}.p7wf` }] });
  });

  it('JSON reads back as the same values', () => {
    const value = JSON.parse(renderConfigJson(draft)) as { apps: { name: string; description: string }[] };
    expect(value.apps[0]).toMatchObject({ name: `App ${s}`, description: `Line one ${s}\nline two` });
  });

  it('TypeScript holds each value as a JSON literal of the same string', () => {
    expect(renderConfigTs(draft)).toContain(`name: ${jsonText(`App ${s}`)},`);
  });
});

describe('the escapes', () => {
  it.each([
    ['\u001b[2J', '\\x1b[2J'],
    ['\u009b2J', '\\x9b2J'],
    ['a\rb\nc\td', 'a\\rb\\nc\\td'],
    ['\u202eabc\u2066', '\\u202eabc\\u2066'],
    ['\u200b\ufeff\u2028', '\\u200b\\ufeff\\u2028'],
    ['\u{e0041}tag', '\\u{e0041}tag'],
    ['\ud800lone', '\\ud800lone'],
    ['plain 設計 🚀', 'plain 設計 🚀'],
  ])('terminal: %j is shown as %j', (text, shown) => {
    expect(escapeUnsafe(text)).toBe(shown);
    expect(hasUnsafeChars(shown)).toBe(false);
    // Idempotent, so a line escaped twice reads the same.
    expect(escapeUnsafe(shown)).toBe(shown);
  });

  it('keeps the palette\'s colours and escapes a value\'s own, which cannot forge a colour mark', () => {
    const c = palette(true);
    const line = c.added(`+ app "\u001b[8mhidden" \uE000${'0'.repeat(16)}:8\uE001`);
    expect(terminalLine(line)).toBe(`\u001b[32m+ app "\\x1b[8mhidden" \uE000${'0'.repeat(16)}:8\uE001\u001b[39m`);
  });

  it.each([
    ['\u0085\u2028\u202e\u007f', '"\\u0085\\u2028\\u202e\\u007f"'],
    ['\u001b', '"\\u001b"'],
    ['\u{e0041}', '"\\udb40\\udc41"'],
  ])('JSON writes %j as %s, the same value', (value, text) => {
    expect(jsonText(value)).toBe(text);
    expect(JSON.parse(jsonText(value))).toBe(value);
  });

  it.each([
    ['[x](http://e)', '\\[x\\](http://e)'],
    ['<b>&', '&lt;b>&amp;'],
    ['a\nb\u202e', 'a b\\\\u202e'],
  ])('Markdown running text: %j as %j', (text, shown) => {
    expect(markdownText(text)).toBe(shown);
  });

  it('a code span outlasts the backticks and escapes what it holds', () => {
    expect(markdownCode('a``b\u001b')).toBe('```a``b\\x1b```');
  });

  it('XML: what XML 1.0 forbids is shown escaped, not dropped', () => {
    expect(xmlText('a\u0000b\uFFFE]]>')).toBe('a\\x00b\\ufffe]]&gt;');
  });
});
