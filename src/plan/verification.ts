// What a plan could verify and what it could not: the managed fields the
// server did not report (or reported in a shape p7apps cannot read), counted
// by field, so that every final line (plan, drift, apply) and every JSON
// output says the same thing, and strict mode can turn them into an error.
// Pure: a view of the plan's notes, never a second opinion.
//
// Its JSON form is part of the plan document, the drift report and the
// apply events, versioned by VERIFICATION_FORMAT_VERSION.

import { P7appsError } from '../errors.js';
// (describe.ts imports this module too; only functions cross, so the cycle is harmless.)
import { joinWords, plural } from './describe.js';
import { compareCodePoints } from './order.js';
import type { Plan, UnverifiableField } from './types.js';

export const VERIFICATION_FORMAT_VERSION = 1 as const;

/** One managed field of one app (or one version of it) that could not be verified. */
export interface UnverifiedItem {
  app: string;
  version?: number;
  /** What the server sent where p7apps could not read it; server text, to be shown quoted. */
  raw?: string;
  /** Whether a planned publish sends the value anyway (settings and the default only). */
  sentWithPublish?: boolean;
}

export interface UnverifiedField {
  field: UnverifiableField;
  /** How many apps, and how many versions (for per-version fields), it concerns. */
  apps: number;
  versions: number;
  items: UnverifiedItem[];
}

export interface Verification {
  formatVersion: typeof VERIFICATION_FORMAT_VERSION;
  /** Managed apps the plan compared with the server (apps in conflict are not). */
  apps: number;
  /** Of those, apps where every managed field was verified. */
  verifiedApps: number;
  /** Managed fields that could not be verified, in a fixed field order; empty when everything was. */
  unverified: UnverifiedField[];
}

/**
 * Field order of every listing, and its words: per app or per version.
 * `untilPublished`: checked by the publish itself and the read after it, so
 * strict mode does not refuse it before publishing.
 */
const FIELDS: Record<UnverifiableField, { order: number; words: string; perVersion: boolean; untilPublished?: true }> = {
  description: { order: 0, words: 'description', perVersion: false },
  thumbnail: { order: 1, words: 'thumbnail', perVersion: false },
  allowCopy: { order: 2, words: 'copy permission', perVersion: false },
  defaultVersion: { order: 3, words: 'default version', perVersion: false },
  workspace: { order: 4, words: 'workspace', perVersion: false },
  versions: { order: 5, words: 'version list', perVersion: false },
  workflow: { order: 6, words: 'workflow content', perVersion: true },
  state: { order: 7, words: 'publishing state', perVersion: true },
  newAppWorkspace: { order: 8, words: 'workspace', perVersion: false, untilPublished: true },
};

export function planVerification(plan: Plan): Verification {
  const byField = new Map<UnverifiableField, UnverifiedItem[]>();
  let apps = 0;
  let verifiedApps = 0;
  for (const app of plan.apps) {
    // Neither a conflicted app nor one still publishing was compared.
    if (app.action === 'conflict' || app.action === 'wait') continue;
    apps += 1;
    let unverified = false;
    for (const note of app.notes) {
      if (note.kind !== 'unverifiable') continue;
      unverified = true;
      const items = byField.get(note.field) ?? [];
      items.push({
        app: app.name,
        ...(note.version === undefined ? {} : { version: note.version }),
        ...(note.raw === undefined ? {} : { raw: note.raw }),
        ...(note.sentWithPublish === undefined ? {} : { sentWithPublish: note.sentWithPublish }),
      });
      byField.set(note.field, items);
    }
    if (!unverified) verifiedApps += 1;
  }
  const unverified = [...byField.entries()]
    .sort(([a], [b]) => FIELDS[a].order - FIELDS[b].order)
    .map(([field, items]): UnverifiedField => ({
      field,
      apps: new Set(items.map((i) => i.app)).size,
      versions: items.filter((i) => i.version !== undefined).length,
      items,
    }));
  return { formatVersion: VERIFICATION_FORMAT_VERSION, apps, verifiedApps, unverified };
}

/**
 * "description of 3 apps and workflow content of 5 versions cannot be verified
 * on this server"; null when everything was verified.
 */
export function unverifiedText(verification: Verification): string | null {
  const clauses: string[] = [];
  const now = verification.unverified.filter((u) => !FIELDS[u.field].untilPublished);
  if (now.length > 0) {
    const parts = now.map((u) => {
      const perVersion = FIELDS[u.field].perVersion && u.versions > 0;
      return `${FIELDS[u.field].words} of ${perVersion ? plural(u.versions, 'version') : plural(u.apps, 'app')}`;
    });
    clauses.push(`${joinWords(parts)} cannot be verified on this server`);
  }
  const later = verification.unverified.filter((u) => FIELDS[u.field].untilPublished);
  for (const u of later) clauses.push(`${FIELDS[u.field].words} of ${plural(u.apps, 'new app')} cannot be checked before publishing`);
  return clauses.length === 0 ? null : clauses.join('; ');
}



/** "12 apps verified; description of 3 apps cannot be verified on this server" (the converged line's tail). */
export function verifiedText(verification: Verification): string {
  const head = `${plural(verification.apps, 'app')} verified`;
  const tail = unverifiedText(verification);
  return tail === null ? head : `${head}; ${tail}`;
}

/** Every app/field pair strict mode refuses, as `"App" description` or `"App" v2 workflow content`, sorted by app. */
export function unverifiedPairs(verification: Verification): string[] {
  const pairs: { app: string; version: number; text: string }[] = [];
  for (const u of verification.unverified) {
    if (FIELDS[u.field].untilPublished) continue;
    for (const item of u.items) {
      const version = item.version === undefined ? '' : ` v${item.version}`;
      pairs.push({ app: item.app, version: item.version ?? 0, text: `${JSON.stringify(item.app)}${version} ${FIELDS[u.field].words}` });
    }
  }
  return pairs
    .sort((a, b) => compareCodePoints(a.app, b.app) || a.version - b.version)
    .map((p) => p.text);
}

/**
 * Strict mode: managed fields the server cannot show are an error, listed
 * app by app. null when everything was verified.
 */
export function strictModeError(verification: Verification): P7appsError | null {
  const pairs = unverifiedPairs(verification);
  if (pairs.length === 0) return null;
  return new P7appsError(`strict mode: ${plural(pairs.length, 'managed field')} cannot be verified on this server: ${pairs.join(', ')}`, {
    hint: 'Stop managing these fields in the config (remove them there), or run without --strict (and without "strict: true" in the config) to accept that they are sent but not checked.',
  });
}
