// The observed-app fingerprint that guards saved plans: apply recomputes it
// from a fresh read and refuses an app whose fingerprint moved, because the
// plan was computed from a state that no longer exists. It covers exactly the
// fields a plan depends on, and leaves out what changes by itself (a version
// going QUEUED -> READY, timestamps, URLs of versions), so that a plan saved
// while the server was settling is not refused for nothing.

import { createHash } from 'node:crypto';
import { isUnknown, type Maybe } from '../appshub/types.js';
import type { ObservedApp } from './observed.js';
import { compareCodePoints, normaliseDescription, normaliseId } from './order.js';

/** JSON with object keys sorted by code point and no whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const object = value as Record<string, unknown>;
  let text = '';
  for (const key of Object.keys(object).sort(compareCodePoints)) {
    const field = object[key];
    if (field === undefined) continue;
    text += `${text === '' ? '' : ','}${JSON.stringify(key)}:${canonicalJson(field)}`;
  }
  return `{${text}}`;
}

function maybe<T, R>(value: Maybe<T>, map: (v: T) => R): R | { unknown: true } {
  return isUnknown(value) ? { unknown: true } : map(value);
}

/** sha256 (hex) of the canonical form of what a plan for this app depends on. */
export function fingerprintObservedApp(app: ObservedApp): string {
  const subject = {
    id: app.id,
    name: app.name,
    workspace: maybe(app.workspace, (w) => ({ id: normaliseId(w.id), name: w.name })),
    description: maybe(app.description, normaliseDescription),
    allowCopy: maybe(app.allowCopy, (v) => v),
    thumbnail: maybe(app.thumbnail, (t) => (t === null ? null : { url: t.url, sha256: maybe(t.sha256, (s) => s.toLowerCase()) })),
    defaultVersion: maybe(app.defaultVersion, (v) => v),
    versionsListed: app.versionsListed ?? true,
    versions: [...app.versions]
      .sort((a, b) => a.version - b.version)
      .map((v) => ({
        version: v.version,
        revision: maybe(v.revision, (r) => r),
        workflowPath: maybe(v.workflowPath, (p) => p),
        workflowFingerprint: maybe(v.workflowFingerprint, (f) => f),
      })),
  };
  return createHash('sha256').update(canonicalJson(subject)).digest('hex');
}
