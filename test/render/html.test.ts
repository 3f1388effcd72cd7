// The HTML reports: golden files for the plan and drift pages, and what makes
// a page self-contained and safe whatever the plan holds: a CSP that allows
// exactly its own style and script, no URL anywhere but data: images, one
// card per app with the right filter tags, and fields it does not know
// shown rather than dropped. (Hostile strings: test/render/hostile-text.test.ts;
// a real browser: test/browser/html-report.test.ts.)

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/plan/compute.js';
import { computeDrift } from '../../src/plan/drift.js';
import type { Plan } from '../../src/plan/types.js';
import { renderDriftHtml } from '../../src/render/drift-html.js';
import { descriptionDiff } from '../../src/render/html-page.js';
import { planTags, renderPlanHtml } from '../../src/render/plan-html.js';
import { renderToString } from '../../src/render/text.js';
import type { ReportThumbnails } from '../../src/render/types.js';
import { inlineImage } from '../../src/report/thumbnails.js';
import { pngBytes } from '../emulator/png.js';
import { desiredApp, desiredState, observedApp, observedState } from '../plan/builders.js';
import { guardedPlan, richPlan, unverifiedPlan } from '../plan/rich-plan.js';

/** Thumbnails as the report's gatherer would find them for richPlan: a differing pair, an equal pair, a missing side. */
function gallery(): ReportThumbnails {
  const blue = inlineImage(pngBytes([0, 0, 255]));
  const red = inlineImage(pngBytes([255, 0, 0]));
  return {
    managed: new Map([
      ['Beam Designer', { config: blue, server: { kind: 'missing', text: 'the app is not on the server' } }],
      ['Valve', { config: red, server: { kind: 'missing', text: 'could not be read while planning: "HTTP 403"' } }],
      ['Welds', { config: blue, server: blue }],
    ]),
    unmanaged: new Map([['id-scratch', { config: { kind: 'missing', text: 'not in the config' }, server: red }]]),
  };
}

const planPage = (plan: Plan, thumbnails: ReportThumbnails | undefined = gallery()) =>
  renderToString((out) => renderPlanHtml(plan, out, { color: false, verbose: false, ...(thumbnails ? { thumbnails } : {}) }));
const driftPage = (plan: Plan, thumbnails: ReportThumbnails | undefined = gallery()) =>
  renderToString((out) => renderDriftHtml(computeDrift(plan, { failOnUnmanaged: false }), out, { color: false, verbose: false, ...(thumbnails ? { thumbnails } : {}) }));

describe('HTML renderers (golden files)', () => {
  it.each<[string, () => string]>([
    ['plan.html', () => planPage(richPlan())],
    ['plan-unverified.html', () => planPage(unverifiedPlan(), undefined)],
    ['plan-guarded.html', () => planPage(guardedPlan(), undefined)],
    ['drift.html', () => driftPage(richPlan())],
  ])('%s', async (file, render) => {
    await expect(render()).toMatchFileSnapshot(`../fixtures/render/${file}`);
  });
});

const between = (text: string, open: string, close: string) => text.slice(text.indexOf(open) + open.length, text.indexOf(close));

describe.each([
  ['plan', () => planPage(richPlan())],
  ['drift', () => driftPage(richPlan())],
])('the %s page', (_kind, render) => {
  it('allows by its CSP exactly its own style and script, data: images, and nothing else', () => {
    const page = render();
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(page)?.[1];
    const digest = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(csp).toBe(
      `default-src 'none'; img-src data:; style-src ${digest(between(page, '<style>', '</style>'))}; script-src ${digest(between(page, '<script>', '</script>'))}; base-uri 'none'; form-action 'none'`,
    );
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page.match(/<style/g)).toHaveLength(1);
  });

  it('names no URL the browser would load: every src is a data: image, there is no href, no CSS url()', () => {
    const page = render();
    const sources = [...page.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) expect(src).toMatch(/^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/);
    expect(page).not.toMatch(/\s(href|action|srcset|poster|formaction|background)=/);
    expect(page).not.toMatch(/url\(|@import/);
    expect(page).not.toMatch(/\son[a-z]+=/);
  });
});

describe('plan page', () => {
  it('has one card per app, managed and unmanaged, each tagged with what the plan does to it', () => {
    const plan = richPlan();
    const page = planPage(plan);
    const tags = [...page.matchAll(/<section class="card" data-tags="([^"]*)">\n<header><span class="badge [^"]*">[^<]*<\/span> <h2>([^<]*)<\/h2>/g)].map((m) => [m[2], m[1]]);
    expect(tags).toEqual([
      // Versions 2 and 3 are published after the app is created.
      ['Beam Designer', 'create publish'],
      // A workflow edited, and the description: one republish carries both.
      ['Gearbox', 'republish settings'],
      ['Heat Sink', 'republish settings'],
      // Moving the default costs a new revision of version 2.
      ['Mixer', 'republish default'],
      ['Pump', 'conflict'],
      ['Spring', 'conflict'],
      ['Valve', 'no-change'],
      ['Welds', 'no-change'],
      ['Legacy Calculator', 'unmanaged'],
      ['Scratch', 'unmanaged'],
    ]);
    expect(plan.apps.map(planTags).flat()).not.toContain('');
  });

  it('shows the filters that match some app, with their counts', () => {
    const filters = [...planPage(richPlan()).matchAll(/data-filter="([^"]*)" checked> ([^<]*)<\/label>/g)].map((m) => `${m[1]}: ${m[2]}`);
    expect(filters).toEqual([
      'create: new app (1)',
      'publish: new version (1)',
      'republish: republish (new revision) (3)',
      'default: default change (1)',
      'settings: settings change (2)',
      'conflict: conflict (2)',
      'no-change: no change (2)',
      'unmanaged: not in the config (2)',
    ]);
  });

  it('shows fields it does not know, on the plan and on an app, rather than dropping them', () => {
    const plan = richPlan();
    const extended = {
      ...plan,
      environment: 'staging',
      guard: { verdict: 'apply will need --force', republishes: 2 },
      apps: plan.apps.map((app) => (app.name === 'Gearbox' ? { ...app, workflowPolicy: 'report' } : app)),
    } as Plan;
    const page = planPage(extended);
    expect(page).not.toContain('<dt>environment</dt>');
    expect(page).toContain('<dt>guard</dt><dd>{&quot;verdict&quot;:&quot;apply will need --force&quot;,&quot;republishes&quot;:2}</dd>');
    expect(page).toContain('<dt>workflowPolicy</dt><dd>report</dd>');
  });

  it.each([
    ['plan', (plan: Plan) => planPage(plan)],
    ['drift', (plan: Plan) => driftPage(plan)],
  ] as const)('%s page names its environment in the title and first among the facts', (kind, page) => {
    const html = page({ ...richPlan(), environment: 'production' });
    expect(html).toContain(`<title>p7apps ${kind}: production</title>`);
    expect(html).toMatch(/<dt>Environment<\/dt><dd>production<\/dd><dt>Server<\/dt>/);
    expect(page(richPlan())).not.toContain('Environment');
  });

  it('says so when there is no app at all', () => {
    const plan = richPlan();
    const empty = { ...plan, apps: [], unmanagedApps: [] };
    expect(planPage(empty)).toContain('<p class="empty">The config declares no apps and the server has none.</p>');
  });
});

describe('descriptionDiff', () => {
  it.each([
    ['one line: word by word', 'Sizes beams.', 'Sizes steel beams.', '<pre class="diff">Sizes <ins>steel </ins>beams.</pre>'],
    ['a word replaced', 'a b c', 'a x c', '<pre class="diff">a <del>b</del><ins>x</ins> c</pre>'],
    [
      'several lines: line by line',
      'one\ntwo\n',
      'one\n2\n',
      '<pre class="diff"><span class="line">  one</span><span class="line del">- two</span><span class="line add">+ 2</span></pre>',
    ],
    ['markup in the text is text', '<b>', '<i>&', '<pre class="diff">&lt;<del>b</del><ins>i</ins>&gt;<ins>&amp;</ins></pre>'],
  ])('%s', (_name, before, after, html) => {
    expect(descriptionDiff(before, after)).toBe(html);
  });
});

describe('badge colours', () => {
  /** A plan whose one app still has a version being published: 'still publishing' in the plan, 'publishing' in drift. */
  const publishingPlan = () =>
    computePlan(desiredState(desiredApp('Mixer', { 1: 'A', 2: 'B' })), observedState([observedApp('Mixer', { 1: 'A', 2: { workflow: 'B', state: 'INITIALIZING' } })]));
  const pages = () => [planPage(richPlan()), driftPage(richPlan()), planPage(publishingPlan(), undefined), driftPage(publishingPlan(), undefined)];

  /** The page's colour variables, light theme and dark. */
  function themes(page: string): { light: Map<string, string>; dark: Map<string, string> } {
    const style = between(page, '<style>', '</style>');
    const vars = (block: string) => new Map([...block.matchAll(/--([a-z-]+): (#[0-9a-f]{6})/g)].map((m) => [m[1]!, m[2]!]));
    const dark = style.indexOf('@media (prefers-color-scheme: dark)');
    return { light: vars(style.slice(0, dark)), dark: vars(style.slice(dark, style.indexOf('} }', dark))) };
  }

  /** WCAG's contrast ratio of two #rrggbb colours. */
  function contrast(a: string, b: string): number {
    const luminance = (hex: string) => {
      const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
    };
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
  }

  it('the pages carry a badge for every plan action and drift status', () => {
    const badges = new Set(pages().flatMap((page) => [...page.matchAll(/<span class="badge ([a-z-]+)">/g)].map((m) => m[1])));
    expect([...badges].sort()).toEqual(['conflict', 'create', 'drifted', 'in-sync', 'missing', 'no-change', 'publishing', 'still-publishing', 'unmanaged', 'update']);
  });

  it.each(['create', 'update', 'conflict', 'no-change', 'still-publishing', 'unmanaged', 'in-sync', 'drifted', 'missing', 'publishing'])(
    'the %s badge has its own background and text colour, at 4.5:1 or more in the light and the dark theme',
    (tag) => {
      const page = pages().find((p) => p.includes(`<span class="badge ${tag}">`))!;
      const style = between(page, '<style>', '</style>');
      const rule = style.split('\n').find((line) => line.split(' {')[0]!.split(', ').includes(`.badge.${tag}`));
      const colours = rule && /\{ background: var\(--([a-z-]+)\); color: var\(--([a-z-]+)\); \}$/.exec(rule);
      expect(colours, `no colour rule for .badge.${tag}`).toBeTruthy();
      const [, background, text] = colours!;
      for (const theme of Object.values(themes(page))) {
        expect(theme.get(background!)).toMatch(/^#/);
        expect(theme.get(text!)).toMatch(/^#/);
        expect(contrast(theme.get(background!)!, theme.get(text!)!)).toBeGreaterThanOrEqual(4.5);
      }
    },
  );
});
