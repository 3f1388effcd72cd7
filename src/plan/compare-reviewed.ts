// Reviewed plan = applied plan: compares the plan apply has just computed with
// the plan a person reviewed (saved by `p7apps plan --out`), publish by
// publish. What the publishes do counts (which app, which version, a new
// app, version or revision, whether it becomes the default, and in what
// order), what each sends (the workflow path, workspace, description, copy
// permission and thumbnail's content: what the reviewer read in the plan),
// and the server both were made against; explanations and the server's
// fingerprints do not, so an unchanged catalogue compares equal however much
// later it is planned again. A thumbnail is compared by its content, not its
// path, which differs between checkouts. Pure: no I/O.

import type { PublishRequest } from '../appshub/types.js';
import type { Plan, PublishExpectation } from './types.js';

/** One publish of a plan, as the comparison sees it. */
export interface PublishStep {
  app: string;
  version: number;
  creates: PublishExpectation['creates'];
  becomesDefault: boolean;
}

/** The publishes of a plan in the order the plan lists them: apps by name, each app's publishes by step. */
export function publishSteps(plan: Plan): PublishStep[] {
  return listedPublishes(plan).map(({ step }) => step);
}

/** Each publish as the comparison sees it, with the request it sends, in the order the plan lists them. */
function listedPublishes(plan: Plan): { step: PublishStep; request: PublishRequest }[] {
  const listed: { step: PublishStep; request: PublishRequest }[] = [];
  for (const app of plan.apps) {
    if (app.action !== 'create' && app.action !== 'update') continue;
    for (const publish of app.publishes) {
      const { version, creates, becomesDefault } = publish.expect;
      listed.push({ step: { app: app.name, version, creates, becomesDefault }, request: publish.request });
    }
  }
  return listed;
}

/**
 * Each way the fresh plan differs from the reviewed one, one sentence each, in
 * a stable order; empty when they agree. `asSaved` turns a fresh value into
 * what saving the plan made of it (the CLI redacts secrets from a saved plan,
 * so a description holding the password reads `***` in the reviewed one).
 */
export function compareWithReviewed(reviewed: Plan, fresh: Plan, asSaved: (text: string) => string = (text) => text): string[] {
  const differences: string[] = [];
  if (!sameServerUrl(reviewed.serverUrl, fresh.serverUrl)) {
    differences.push(`the reviewed plan was made against ${reviewed.serverUrl}, this plan against ${fresh.serverUrl}`);
  }
  const before = publishSteps(reviewed);
  const after = publishSteps(fresh);
  const setDifferences = compareSets(before, after);
  differences.push(...setDifferences);
  differences.push(...compareSent(reviewed, fresh, asSaved));
  // When the publishes themselves differ, the order differs too; saying so would only repeat it.
  if (setDifferences.length === 0) {
    const at = before.findIndex((step, i) => key(step) !== key(after[i]!));
    if (at >= 0) {
      differences.push(`order differs at step ${at + 1} of ${before.length}: the reviewed plan publishes ${stepName(before[at]!)} there, this plan ${stepName(after[at]!)}`);
    }
  }
  return differences;
}

/** What a publish sends, as the comparison sees it: the request, its thumbnail by content. */
function sentFields(request: PublishRequest): [field: string, value: unknown][] {
  return [
    ['workflow', request.workflowPath],
    ['workspace', request.workspaceId !== undefined ? `id ${request.workspaceId}` : request.workspaceName],
    ['description', request.description],
    ['copy permission', request.allowGetAsWorkflow],
    ['thumbnail', request.thumbnail === undefined ? undefined : `${request.thumbnail.filename} (sha256 ${request.thumbnail.sha256})`],
  ];
}

/** The requests of each (app, version)'s publishes, grouped as byKey groups the steps. */
function requestsByKey(plan: Plan): Map<string, PublishRequest[]> {
  const map = new Map<string, PublishRequest[]>();
  for (const { step, request } of listedPublishes(plan)) map.set(versionKey(step), [...(map.get(versionKey(step)) ?? []), request]);
  return map;
}

/**
 * Publishes both plans make alike, but sending other content: a workflow
 * path changed in the config after the review, a description edited since,
 * a thumbnail replaced. Said field by field; a description by its lines, not
 * its text.
 */
function compareSent(reviewed: Plan, fresh: Plan, asSaved: (text: string) => string): string[] {
  const was = requestsByKey(reviewed);
  const now = requestsByKey(fresh);
  const differences: string[] = [];
  for (const [k, before] of [...was].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const after = now.get(k);
    if (after === undefined || after.length !== before.length) continue; // a difference of the publishes themselves, said above
    const [app, version] = JSON.parse(k) as [string, number];
    const fields = new Set<string>();
    const saved = (value: unknown) => JSON.stringify(typeof value === 'string' ? asSaved(value) : value);
    before.forEach((request, i) => {
      const other = new Map(sentFields(after[i]!));
      for (const [field, value] of sentFields(request)) if (JSON.stringify(value) !== saved(other.get(field))) fields.add(field);
    });
    const first = before[0]!;
    const firstAfter = after[0]!;
    for (const field of fields) {
      const where = `app ${JSON.stringify(app)} version ${version}`;
      if (field === 'workflow' && first.workflowPath !== asSaved(firstAfter.workflowPath)) {
        differences.push(`${where}: the reviewed plan publishes it from ${first.workflowPath}, this plan from ${firstAfter.workflowPath}`);
      } else {
        differences.push(`${where}: this plan sends another ${field} than the reviewed plan`);
      }
    }
  }
  return differences;
}

function compareSets(before: PublishStep[], after: PublishStep[]): string[] {
  const reviewed = byKey(before);
  const fresh = byKey(after);
  const keys = [...new Set([...reviewed.keys(), ...fresh.keys()])].sort(compareKeys(reviewed, fresh));
  const differences: string[] = [];
  for (const k of keys) {
    const was = reviewed.get(k) ?? [];
    const now = fresh.get(k) ?? [];
    const where = stepName((was[0] ?? now[0])!);
    const wasText = publishesText(was);
    const nowText = publishesText(now);
    if (wasText === nowText) continue;
    differences.push(
      `${where}: the reviewed plan ${wasText === '' ? 'does not publish it' : wasText}, ` +
        `this plan ${nowText === '' ? 'does not' : wasText === '' ? nowText : `${nowText} instead`}`,
    );
  }
  return differences;
}

/** "republishes it (a new revision)", "publishes it as a new version and makes it the default"; several when a plan publishes a version twice. */
function publishesText(steps: PublishStep[]): string {
  return steps.map(publishText).join(', then ');
}

function publishText(step: PublishStep): string {
  const what =
    step.creates === 'app'
      ? 'creates the app with it'
      : step.creates === 'version'
        ? 'publishes it as a new version'
        : 'republishes it (a new revision)';
  return step.becomesDefault ? `${what} and makes it the default` : what;
}

function stepName(step: PublishStep): string {
  return `app ${JSON.stringify(step.app)} version ${step.version}`;
}

function key(step: PublishStep | undefined): string {
  return step === undefined ? '' : JSON.stringify([step.app, step.version, step.creates, step.becomesDefault]);
}

/** The (app, version) a publish is of: what the comparison pairs publishes by. */
function versionKey(step: PublishStep): string {
  return JSON.stringify([step.app, step.version]);
}

function byKey(steps: PublishStep[]): Map<string, PublishStep[]> {
  const map = new Map<string, PublishStep[]>();
  for (const step of steps) map.set(versionKey(step), [...(map.get(versionKey(step)) ?? []), step]);
  return map;
}

/** By app name, then version: the order a reader scans a plan in. */
function compareKeys(reviewed: Map<string, PublishStep[]>, fresh: Map<string, PublishStep[]>) {
  const first = (k: string) => (reviewed.get(k) ?? fresh.get(k))![0]!;
  return (a: string, b: string): number => {
    const x = first(a);
    const y = first(b);
    return x.app < y.app ? -1 : x.app > y.app ? 1 : x.version - y.version;
  };
}

/** Two sign-in URLs name the same server when they differ at most by trailing slashes. */
export function sameServerUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
