// What the plan and drift HTML reports share: one self-contained page (inline
// CSS, a few lines of inline JavaScript for the filters, images as data:
// URIs), the pieces every app card is made of (thumbnails side by side, a
// table of differences with the description diffed, a list of extra fields),
// and the filter bar.
//
// Nothing on the page reaches the network: there is no URL in any src or
// href but data: images and in-page anchors, and the Content-Security-Policy
// allows only this page's own style and script (by hash) and data: images.
// Every string from a server or a config goes through htmlText
// (./escape.ts), which entity-escapes it and shows invisible, bidi and
// control characters escaped.

import { createHash } from 'node:crypto';
import { diffWords } from 'diff';
import { isUnknown } from '../appshub/types.js';
import type { AppDrift } from '../plan/drift.js';
import type { AttributeChange } from '../plan/types.js';
import { htmlText } from './escape.js';
import { changeLabel, changeValueText } from './plan-words.js';
import { isMultiline, lineDiff } from './text.js';
import type { AppThumbnails, ReportImage, ReportThumbnails } from './types.js';

/** A filter: the tag cards carry, its words, how many cards carry it. */
export interface Filter {
  tag: string;
  label: string;
  count: number;
}

export interface Page {
  title: string;
  summary: string;
  /** Label and text pairs shown under the summary (server, config, any extra field). */
  facts: Array<[label: string, text: string]>;
  filters: Filter[];
  /** Cards, each already HTML, each with a data-tags attribute. */
  cards: string[];
  /** Said where there are no cards. */
  empty: string;
}

/** Every badge a card can carry: a plan action's or a drift status's. */
export type BadgeTag = 'create' | 'update' | 'conflict' | 'no-change' | 'still-publishing' | 'unmanaged' | AppDrift['status'];

type Tone = 'add' | 'warn' | 'del' | 'wait' | 'same' | 'other';

/**
 * The colour pair each badge is shown in: --TONE behind, --TONE-fg for the
 * text. Every pair keeps the text at a contrast of 4.5:1 or more (WCAG AA) in
 * the light theme and the dark one alike.
 */
const BADGE_TONES: Record<BadgeTag, Tone> = {
  create: 'add',
  missing: 'add',
  update: 'warn',
  drifted: 'warn',
  conflict: 'del',
  'still-publishing': 'wait',
  publishing: 'wait',
  'no-change': 'same',
  'in-sync': 'same',
  unmanaged: 'other',
};

/** One CSS rule per tone, naming its badges; in BADGE_TONES' order, so the page (and its CSP hash) is the same every time. */
function badgeRules(): string {
  const tones = [...new Set(Object.values(BADGE_TONES))];
  return tones
    .map((tone) => {
      const tags = (Object.keys(BADGE_TONES) as BadgeTag[]).filter((tag) => BADGE_TONES[tag] === tone);
      return `${tags.map((tag) => `.badge.${tag}`).join(', ')} { background: var(--${tone}); color: var(--${tone}-fg); }`;
    })
    .join('\n');
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1d2125; --muted: #5c6670; --bg: #fff; --card: #f6f8fa; --line: #d0d7de;
  --add: #dafbe1; --add-fg: #116329; --del: #ffebe9; --del-fg: #a40e26; --warn: #fff8c5; --warn-fg: #1d2125; --accent: #0969da;
  --wait: #ddf4ff; --wait-fg: #0550ae; --same: #eaeef2; --same-fg: #424a53; --other: #fbefff; --other-fg: #6639ba; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --card: #161b22; --line: #30363d;
  --add: #12261e; --add-fg: #7ee787; --del: #25171c; --del-fg: #ffa198; --warn: #272115; --warn-fg: #e6edf3; --accent: #4493f8;
  --wait: #0c2d6b; --wait-fg: #79c0ff; --same: #21262d; --same-fg: #c9d1d9; --other: #271c3a; --other-fg: #d2a8ff; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 1.5rem; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
h1 { margin: 0 0 .25rem; font-size: 1.4rem; }
h2 { margin: 0; font-size: 1.1rem; overflow-wrap: anywhere; }
.summary { font-weight: 600; margin: .25rem 0 .5rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem; margin: 0 0 1rem; color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
nav.filters { position: sticky; top: 0; display: flex; flex-wrap: wrap; gap: .4rem .9rem; align-items: center; padding: .6rem .75rem;
  background: var(--bg); border: 1px solid var(--line); border-radius: 6px; margin-bottom: 1rem; z-index: 1; }
nav.filters label { white-space: nowrap; cursor: pointer; }
nav.filters output { margin-left: auto; color: var(--muted); }
main { display: grid; gap: .9rem; }
[hidden] { display: none !important; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .9rem 1rem; }
.card header { display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; margin-bottom: .6rem; }
.id { color: var(--muted); font-size: .85rem; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-size: .8rem; font-weight: 600; border: 1px solid var(--line); white-space: nowrap; }
${badgeRules()}
.thumbs { display: flex; gap: 1rem; flex-wrap: wrap; margin: 0 0 .6rem; }
figure { margin: 0; width: 9.5rem; }
figure .frame { width: 9.5rem; height: 6.5rem; display: flex; align-items: center; justify-content: center; background: var(--bg);
  border: 1px solid var(--line); border-radius: 4px; overflow: hidden; }
figure img { width: 100%; height: 100%; object-fit: contain; }
figure .none { color: var(--muted); font-size: .8rem; padding: .4rem; text-align: center; overflow-wrap: anywhere; }
figcaption { font-size: .8rem; color: var(--muted); margin-top: .2rem; overflow-wrap: anywhere; }
.same { font-size: .8rem; color: var(--muted); align-self: center; }
table.changes { border-collapse: collapse; width: 100%; table-layout: fixed; margin: .3rem 0 .6rem; font-size: .9rem; }
table.changes thead th:first-child { width: 9rem; }
table.changes th, table.changes td { text-align: left; vertical-align: top; border-top: 1px solid var(--line); padding: .3rem .5rem .3rem 0; overflow-wrap: anywhere; }
table.changes thead th { border-top: 0; color: var(--muted); font-weight: 600; }
pre.diff { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font: .85rem/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre.diff .line { display: block; }
pre.diff .line.add, ins { background: var(--add); color: var(--add-fg); text-decoration: none; }
pre.diff .line.del, del { background: var(--del); color: var(--del-fg); }
ul.items { margin: .3rem 0; padding-left: 1.2rem; }
ul.items li { margin: .15rem 0; overflow-wrap: anywhere; }
.conflict-text { color: var(--del-fg); }
h3 { font-size: .9rem; margin: .6rem 0 .2rem; color: var(--muted); }
code { font: .85rem ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
p.empty { color: var(--muted); }
`;

// Shows the cards that carry any checked tag, and says how many are shown.
const SCRIPT = `
(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-filter]'));
  var cards = Array.prototype.slice.call(document.querySelectorAll('section.card[data-tags]'));
  var shown = document.getElementById('shown');
  function update() {
    var on = {};
    boxes.forEach(function (box) { if (box.checked) on[box.getAttribute('data-filter')] = true; });
    var count = 0;
    cards.forEach(function (card) {
      var visible = card.getAttribute('data-tags').split(' ').some(function (tag) { return on[tag] === true; });
      card.hidden = !visible;
      if (visible) count += 1;
    });
    shown.textContent = count + ' of ' + cards.length + (cards.length === 1 ? ' app' : ' apps') + ' shown';
  }
  boxes.forEach(function (box) { box.addEventListener('change', update); });
  update();
})();
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Only this page's own style and script run; only data: images load; nothing is fetched, framed or submitted. */
const CSP = `default-src 'none'; img-src data:; style-src ${hash(STYLE)}; script-src ${hash(SCRIPT)}; base-uri 'none'; form-action 'none'`;

export function renderPage(page: Page): string {
  const filters = page.filters
    .filter((f) => f.count > 0)
    .map((f) => `<label><input type="checkbox" data-filter="${f.tag}" checked> ${htmlText(f.label)} (${f.count})</label>`);
  const total = page.cards.length;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${htmlText(page.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${htmlText(page.title)}</h1>`,
    `<p class="summary">${htmlText(page.summary)}</p>`,
    `<dl class="facts">${page.facts.map(([label, text]) => `<dt>${htmlText(label)}</dt><dd>${htmlText(text)}</dd>`).join('')}</dl>`,
    `<nav class="filters" aria-label="Filter apps">${filters.join(' ')} <output id="shown">${total} of ${total} ${total === 1 ? 'app' : 'apps'} shown</output></nav>`,
    '<main>',
    ...(total === 0 ? [`<p class="empty">${htmlText(page.empty)}</p>`] : page.cards),
    '</main>',
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A card's opening: its tags (fixed words, never server text), badge, name and id. */
export function cardHead(tags: readonly string[], badge: { tag: BadgeTag; text: string }, name: string, appId: string | null): string {
  const id = appId === null ? '' : ` <span class="id">id ${htmlText(appId)}</span>`;
  return `<section class="card" data-tags="${tags.join(' ')}">\n<header><span class="badge ${badge.tag}">${htmlText(badge.text)}</span> <h2>${htmlText(name)}</h2>${id}</header>`;
}

/** The tags a card carries, as the filter bar counts them. */
export function countTags(tagLists: ReadonlyArray<readonly string[]>, labels: ReadonlyArray<[tag: string, label: string]>): Filter[] {
  return labels.map(([tag, label]) => ({ tag, label, count: tagLists.filter((tags) => tags.includes(tag)).length }));
}

const NOT_GATHERED: AppThumbnails = {
  config: { kind: 'missing', text: 'not in this report' },
  server: { kind: 'missing', text: 'not in this report' },
};

/** The thumbnails of one app from the report's gallery: managed apps by name, others by id. */
export function thumbnailsOf(thumbnails: ReportThumbnails | undefined, key: { managed: true; name: string } | { managed: false; appId: string }): AppThumbnails {
  if (thumbnails === undefined) return NOT_GATHERED;
  const found = key.managed ? thumbnails.managed.get(key.name) : thumbnails.unmanaged.get(key.appId);
  return found ?? NOT_GATHERED;
}

/** The config's thumbnail and the server's, side by side, and whether they are the same image. */
export function thumbnailPair(name: string, pair: AppThumbnails): string {
  const same = pair.config.kind === 'image' && pair.server.kind === 'image' && pair.config.sha256 === pair.server.sha256;
  const verdict = pair.config.kind === 'image' && pair.server.kind === 'image' ? `<span class="same">${same ? 'same image' : 'different images'}</span>` : '';
  return `<div class="thumbs">${figure(name, 'config', pair.config)}${figure(name, 'server', pair.server)}${verdict}</div>`;
}

function figure(name: string, side: 'config' | 'server', image: ReportImage): string {
  const caption = side === 'config' ? 'in the config' : 'on the server';
  if (image.kind === 'missing') {
    return `<figure><div class="frame"><span class="none">${htmlText(image.text)}</span></div><figcaption>${caption}</figcaption></figure>`;
  }
  const alt = htmlText(`Thumbnail of ${name} ${caption}`);
  const about = `${caption}: ${image.mediaType.replace('image/', '').replace('+xml', '')}, ${sizeText(image.size)}, sha256 ${image.sha256.slice(0, 12)}`;
  // dataUri is built from bytes recognised as an image (a fixed media type and base64 only), so it needs no escaping; htmlText keeps that true.
  return `<figure><div class="frame"><img src="${htmlText(image.dataUri)}" alt="${alt}" data-side="${side}"></div><figcaption>${htmlText(about)}</figcaption></figure>`;
}

export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Field-level differences as a table: what the server has, what the config says; descriptions diffed. */
export function changesTable(changes: readonly AttributeChange[], headings: { before: string; after: string }): string {
  if (changes.length === 0) return '';
  const rows = changes.map((change) => {
    const label = `<th scope="row">${htmlText(changeLabel(change))}</th>`;
    if (change.field === 'description') {
      const before = typeof change.before === 'string' ? change.before : null;
      const unknown = isUnknown(change.before) ? ' (the server did not report it: shown against empty)' : '';
      return `<tr>${label}<td colspan="2">${descriptionDiff(before ?? '', change.after)}${unknown === '' ? '' : htmlText(unknown)}</td></tr>`;
    }
    const text = changeValueText(change);
    const [before, after] = splitArrow(change, text);
    return `<tr>${label}<td>${htmlText(before)}</td><td>${htmlText(after)}</td></tr>`;
  });
  return `<table class="changes"><thead><tr><th>field</th><th>${htmlText(headings.before)}</th><th>${htmlText(headings.after)}</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** "before -> after" as its two sides; a value the server lacks shows as "(none)". */
function splitArrow(change: Exclude<AttributeChange, { field: 'description' }>, text: string): [string, string] {
  if (change.before === null) return ['(none)', text];
  const at = text.lastIndexOf(' -> ');
  return at < 0 ? ['', text] : [text.slice(0, at), text.slice(at + 4)];
}

/**
 * The description's difference: line by line (removed and added lines
 * marked) when either side has several lines, word by word otherwise.
 */
export function descriptionDiff(before: string, after: string): string {
  if (isMultiline(before, after)) {
    const lines = lineDiff(before, after).map((line) => {
      const kind = line.sign === '+' ? ' add' : line.sign === '-' ? ' del' : '';
      return `<span class="line${kind}">${line.sign} ${htmlText(line.text)}</span>`;
    });
    return `<pre class="diff">${lines.join('')}</pre>`;
  }
  const parts = diffWords(before, after).map((part) => {
    const text = htmlText(part.value);
    if (part.added) return `<ins>${text}</ins>`;
    if (part.removed) return `<del>${text}</del>`;
    return text;
  });
  return `<pre class="diff">${parts.join('')}</pre>`;
}

/** A list of items (already HTML) under a heading; nothing when empty. */
export function itemList(heading: string, items: readonly string[]): string {
  if (items.length === 0) return '';
  return `<h3>${htmlText(heading)}</h3><ul class="items">${items.map((item) => `<li>${item}</li>`).join('')}</ul>`;
}

/**
 * Fields of a plan or an app that this renderer does not know (added within
 * the format by newer p7apps), shown as label and value so nothing the JSON
 * says is hidden from the page.
 */
/** The environment a plan or drift report is for, first among the facts; none when the config declares no environments. */
export function environmentFact(environment: string | undefined): Array<[string, string]> {
  return environment === undefined ? [] : [['Environment', environment]];
}

export function extraFacts(value: object, known: ReadonlySet<string>): Array<[string, string]> {
  return Object.entries(value)
    .filter(([key, v]) => !known.has(key) && v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, v]) => [key, typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v))]);
}

export function extraList(value: object, known: ReadonlySet<string>): string {
  const facts = extraFacts(value, known);
  if (facts.length === 0) return '';
  return `<dl class="facts">${facts.map(([label, text]) => `<dt>${htmlText(label)}</dt><dd>${htmlText(text)}</dd>`).join('')}</dl>`;
}
