// The drift report as JUnit XML: one test case per app, so CI dashboards
// (GitLab's test reports, GitHub test reporters, Jenkins) show drift as
// failures without knowing anything about p7apps.

import type { AppDrift } from '../plan/drift.js';
import type { DriftRenderer } from './types.js';
import { driftSummaryLine, partlyVerifiedStatus } from '../plan/drift.js';
import { publishingText, unverifiableText } from '../plan/describe.js';
import { changeLabel, editedWorkflowText, sidesText } from './plan-words.js';
import { quoteShort } from './text.js';
import { JUNIT_CLOSING, junitCase, junitOpening } from './junit.js';

function detailLines(app: AppDrift): string[] {
  const lines: string[] = [];
  // Both sides named, descriptions shortened: "copy permission: server: true, config: false".
  for (const change of app.changes) lines.push(`${changeLabel(change)}: ${sidesText(change, (text) => quoteShort(text, 60))}`);
  for (const edited of app.editedWorkflows) lines.push(editedWorkflowText(edited));
  for (const version of app.publishing ?? []) lines.push(`${publishingText(version)}: run drift again later`);
  for (const conflict of app.conflicts) lines.push(`conflict: ${conflict.problem}. To fix: ${conflict.resolution}`);
  for (const v of app.unmanagedVersions) lines.push(`version ${v.version} is on the server but not in the config`);
  for (const u of app.unverifiable) lines.push(unverifiableText(u));
  return lines;
}

const FAILURE_MESSAGE: Record<AppDrift['status'], string> = {
  'in-sync': 'in sync',
  drifted: 'the app on the server differs from the config',
  missing: 'the app is in the config but not on the server',
  conflict: 'the app differs in a way only a person can resolve',
  publishing: 'a version of the app is still publishing, so it cannot be compared yet',
  unmanaged: 'the app is on the server but not in the config',
};

export const renderDriftJunit: DriftRenderer = (report, out) => {
  const failures = report.apps.filter((a) => a.counts).length;
  const classname = `p7apps.${hostOf(report.serverUrl)}`;
  const lines = junitOpening({
    name: 'p7apps drift',
    serverUrl: report.serverUrl,
    configPath: report.configPath,
    ...(report.environment === undefined ? {} : { environment: report.environment }),
    summary: driftSummaryLine(report),
    tests: report.apps.length,
    failures,
    errors: 0,
  });
  for (const app of report.apps) {
    const details = detailLines(app);
    const shown = details.length > 0 || app.status === 'unmanaged';
    lines.push(
      ...junitCase({
        classname,
        name: app.name,
        ...(app.counts ? { outcome: { element: 'failure', type: app.status, message: FAILURE_MESSAGE[app.status], lines: details } } : {}),
        ...(!app.counts && shown ? { output: [partlyVerifiedStatus(app) ?? FAILURE_MESSAGE[app.status], ...details] } : {}),
      }),
    );
  }
  lines.push(...JUNIT_CLOSING);
  out.write(`${lines.join('\n')}\n`);
};

function hostOf(url: string): string {
  try {
    return new URL(url).host.replace(/[^A-Za-z0-9.-]/g, '_');
  } catch {
    return 'server';
  }
}
