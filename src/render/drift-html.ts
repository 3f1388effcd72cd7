// The drift report as one self-contained HTML page (./html-page.ts): a card
// per app with its thumbnail as the config has it and as the server has it,
// side by side, what differs (the description diffed), edited workflows,
// conflicts and what could not be verified; filters by status.

import { driftSummaryLine, partlyVerifiedStatus, type AppDrift } from '../plan/drift.js';
import { unverifiableText } from '../plan/describe.js';
import { htmlText } from './escape.js';
import { cardHead, changesTable, countTags, extraFacts, extraList, itemList, renderPage, thumbnailPair, thumbnailsOf } from './html-page.js';
import type { DriftRenderer, ReportThumbnails } from './types.js';

const FILTERS: Array<[tag: AppDrift['status'], label: string]> = [
  ['drifted', 'drifted'],
  ['missing', 'missing'],
  ['conflict', 'conflict'],
  ['unmanaged', 'not in the config'],
  ['in-sync', 'in sync'],
];

const STATUS_TEXT: Record<AppDrift['status'], string> = {
  'in-sync': 'in sync',
  drifted: 'drifted',
  missing: 'missing',
  conflict: 'conflict',
  unmanaged: 'not in the config',
};

/** What the status means, where the card has nothing else to say about it. */
const STATUS_SENTENCE: Record<AppDrift['status'], string> = {
  'in-sync': '',
  drifted: '',
  missing: 'not on the server (apply would create it); ',
  conflict: '',
  unmanaged: 'on the server only, left alone; ',
};

const KNOWN_REPORT_FIELDS: ReadonlySet<string> = new Set(['formatVersion', 'kind', 'serverUrl', 'configPath', 'failOnUnmanaged', 'apps', 'summary', 'drift', 'verification']);
const KNOWN_APP_FIELDS: ReadonlySet<string> = new Set(['name', 'appId', 'status', 'counts', 'changes', 'editedWorkflows', 'unmanagedVersions', 'unverifiable', 'conflicts']);

export const renderDriftHtml: DriftRenderer = (report, out, options) => {
  out.write(
    renderPage({
      title: 'p7apps drift',
      summary: driftSummaryLine(report),
      facts: [['Server', report.serverUrl], ['Config', report.configPath], ...extraFacts(report, KNOWN_REPORT_FIELDS)],
      filters: countTags(
        report.apps.map((app) => [app.status]),
        FILTERS,
      ),
      cards: report.apps.map((app) => appCard(app, options.thumbnails)),
      empty: 'The config declares no apps and the server has none.',
    }),
  );
};

function appCard(app: AppDrift, thumbnails: ReportThumbnails | undefined): string {
  const status = partlyVerifiedStatus(app) ?? STATUS_TEXT[app.status];
  const key = app.status === 'unmanaged' && app.appId !== null ? { managed: false as const, appId: app.appId } : { managed: true as const, name: app.name };
  const parts = [
    cardHead([app.status], { tag: app.status, text: status }, app.name, app.appId),
    `<p class="id">${STATUS_SENTENCE[app.status]}${app.counts ? 'counts as drift' : 'does not count as drift'}</p>`,
    thumbnailPair(app.name, thumbnailsOf(thumbnails, key)),
    changesTable(app.changes, { before: 'server', after: 'config' }),
    itemList(
      'Workflows edited since they were published',
      app.editedWorkflows.map((e) => `<code>${htmlText(e.workflow)}</code>, published as version ${e.version}`),
    ),
    itemList(
      'Conflicts (a person must resolve them)',
      app.conflicts.map((c) => `<span class="conflict-text">${htmlText(c.problem)}.</span><br>To do: ${htmlText(c.resolution)}.`),
    ),
    itemList(
      'Versions on the server the config does not declare',
      app.unmanagedVersions.map((v) => `version ${v.version}`),
    ),
    itemList(
      'Could not be verified',
      app.unverifiable.map((u) => htmlText(unverifiableText(u))),
    ),
    extraList(app, KNOWN_APP_FIELDS),
    '</section>',
  ];
  return parts.filter((p) => p !== '').join('\n');
}
