// Progress as JSON lines (`--format json`): every event, one JSON object per
// line, for programs. A public contract, versioned by formatVersion: fields
// may be added within a version, never renamed or removed. Each line carries
// `formatVersion`, `type` and `time` (ISO 8601) before the event's fields.

import type { Writable } from 'node:stream';
import type { ApplyEvent, ApplyListener } from '../apply/events.js';
import { jsonText } from './escape.js';

export const PROGRESS_FORMAT_VERSION = 1 as const;

export function progressJsonLines(out: Pick<Writable, 'write'>): ApplyListener {
  return {
    emit(event: ApplyEvent) {
      out.write(`${jsonText(eventToJson(event))}\n`);
    },
  };
}

export function eventToJson(event: ApplyEvent): Record<string, unknown> {
  const { type, at, ...fields } = event;
  return { formatVersion: PROGRESS_FORMAT_VERSION, type, time: new Date(at).toISOString(), ...fields };
}
