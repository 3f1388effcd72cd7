// The plan as one self-contained HTML page (./html-page.ts): a card per app
// with its thumbnail as the config has it and as the server has it, side by
// side, what changes (the description diffed), every publish with why it is
// needed, conflicts, notes; filters by what the plan does to each app.

import { STILL_PUBLISHING_ADVICE, describeConflict, describeNote, describeReason, publishingText, summaryLine } from '../plan/describe.js';
import { PROTECTED_STEP_TEXT, protectedStepsByApp, safetyCheck, safetyLines } from '../plan/safety.js';
import { planHasChanges, type AppPlan, type UnmanagedApp } from '../plan/types.js';
import { htmlText } from './escape.js';
import { cardHead, changesTable, type BadgeTag, countTags, environmentFact, extraFacts, extraList, itemList, renderPage, thumbnailPair, thumbnailsOf } from './html-page.js';
import { expectationText, requestFields } from './plan-words.js';
import { workspaceText } from './text.js';
import type { PlanRenderer, ReportThumbnails } from './types.js';

/** Filters, in the order shown; a card carries every tag that applies to it. */
const FILTERS: Array<[tag: string, label: string]> = [
  ['create', 'new app'],
  ['publish', 'new version'],
  ['republish', 'republish (new revision)'],
  ['default', 'default change'],
  ['settings', 'settings change'],
  ['conflict', 'conflict'],
  ['still-publishing', 'still publishing'],
  ['no-change', 'no change'],
  ['unmanaged', 'not in the config'],
];

const BADGES: Record<AppPlan['action'], { tag: BadgeTag; text: string }> = {
  create: { tag: 'create', text: 'create' },
  update: { tag: 'update', text: 'update' },
  conflict: { tag: 'conflict', text: 'conflict' },
  'no-op': { tag: 'no-change', text: 'no change' },
  wait: { tag: 'still-publishing', text: 'still publishing' },
};

const KNOWN_PLAN_FIELDS: ReadonlySet<string> = new Set(['formatVersion', 'serverUrl', 'configPath', 'environment', 'safety', 'apps', 'unmanagedApps', 'summary']);
const KNOWN_APP_FIELDS: ReadonlySet<string> = new Set(['action', 'name', 'appId', 'workspace', 'observedFingerprint', 'changes', 'publishes', 'notes', 'conflicts', 'publishing']);

export const renderPlanHtml: PlanRenderer = (plan, out, options) => {
  const guarded = protectedStepsByApp(plan);
  const cards = [
    ...plan.apps.map((app) => ({ tags: planTags(app), html: appCard(app, options.thumbnails, guarded.get(app.name)) })),
    ...plan.unmanagedApps.map((app) => ({ tags: ['unmanaged'], html: unmanagedCard(app, options.thumbnails) })),
  ];
  out.write(
    renderPage({
      title: `p7apps plan${plan.environment === undefined ? '' : `: ${plan.environment}`}`,
      summary: summaryLine(plan),
      facts: [
        ...environmentFact(plan.environment),
        ['Server', plan.serverUrl],
        ['Config', plan.configPath],
        // The guard's verdict, as every plan format states it.
        ...(planHasChanges(plan) ? safetyLines(safetyCheck(plan)).map((line): [string, string] => ['Safety', line]) : []),
        ...extraFacts(plan, KNOWN_PLAN_FIELDS),
      ],
      filters: countTags(
        cards.map((c) => c.tags),
        FILTERS,
      ),
      cards: cards.map((c) => c.html),
      empty: 'The config declares no apps and the server has none.',
    }),
  );
};

/** What the plan does to the app, as filter tags: one for the app's action, and one per kind of publish. */
export function planTags(app: AppPlan): string[] {
  if (app.action === 'conflict') return ['conflict'];
  if (app.action === 'no-op') return ['no-change'];
  if (app.action === 'wait') return ['still-publishing'];
  const tags = new Set<string>(app.action === 'create' ? ['create'] : []);
  for (const publish of app.publishes) {
    if (publish.expect.creates === 'version') tags.add('publish');
    if (publish.expect.creates === 'revision') tags.add('republish');
    for (const reason of publish.reasons) {
      if (reason.kind === 'default-changed' && app.action === 'update') tags.add('default');
      if (reason.kind === 'settings-changed') tags.add('settings');
    }
  }
  return FILTERS.map(([tag]) => tag).filter((tag) => tags.has(tag));
}

function appCard(app: AppPlan, thumbnails: ReportThumbnails | undefined, guarded: ReadonlySet<number> = new Set()): string {
  const appId = app.action === 'create' ? null : (app.appId ?? null);
  const parts = [cardHead(planTags(app), BADGES[app.action], app.name, appId)];
  if ('workspace' in app) parts.push(`<p class="id">workspace ${htmlText(workspaceText(app.workspace))}</p>`);
  parts.push(thumbnailPair(app.name, thumbnailsOf(thumbnails, { managed: true, name: app.name })));
  if (app.action === 'create' || app.action === 'update') {
    parts.push(changesTable(app.changes, { before: 'server now', after: 'config (after apply)' }));
    parts.push(
      itemList(
        'Publishes, in order',
        app.publishes.map((p) => {
          const request = requestFields(p)
            .map(([name, value]) => `<code>${htmlText(`${name}=${value}`)}</code>`)
            .join(' ');
          const protectedNote = guarded.has(p.step) ? `<br><strong>${htmlText(PROTECTED_STEP_TEXT)}</strong>` : '';
          return `#${p.step}: ${htmlText(expectationText(p.expect))}; ${request}<br>why: ${htmlText(p.reasons.map(describeReason).join('; '))}${protectedNote}`;
        }),
      ),
    );
  }
  if (app.action === 'conflict') {
    parts.push(
      itemList(
        'Conflicts (a person must resolve them)',
        app.conflicts.map((c) => {
          const text = describeConflict(c);
          return `<span class="conflict-text">${htmlText(text.problem)}.</span><br>To do: ${htmlText(text.resolution)}.`;
        }),
      ),
    );
  }
  if (app.action === 'wait') {
    parts.push(itemList('Still publishing: not planned yet, and not a conflict', app.publishing.map((v) => `${htmlText(publishingText(v))}.<br>To do: ${htmlText(STILL_PUBLISHING_ADVICE)}.`)));
  }
  parts.push(itemList('Notes', app.notes.map((n) => htmlText(describeNote(n)))));
  parts.push(extraList(app, KNOWN_APP_FIELDS));
  parts.push('</section>');
  return parts.filter((p) => p !== '').join('\n');
}

function unmanagedCard(app: UnmanagedApp, thumbnails: ReportThumbnails | undefined): string {
  return [
    cardHead(['unmanaged'], { tag: 'unmanaged', text: 'not in the config' }, app.name, app.appId),
    `<p class="id">workspace ${htmlText(workspaceText(app.workspace))}; on the server only, left alone</p>`,
    thumbnailPair(app.name, thumbnailsOf(thumbnails, { managed: false, appId: app.appId })),
    '</section>',
  ].join('\n');
}
