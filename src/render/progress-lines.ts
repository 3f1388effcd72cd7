// Progress for logs (CI, a pipe, a file): one plain timestamped line per
// event worth a line, never a control character. Polls earn a line only when
// the state they see changes or a poll fails, so a ten-minute wait is a
// handful of lines, not hundreds.

import type { Writable } from 'node:stream';
import type { ApplyEvent, ApplyListener } from '../apply/events.js';
import { versionStateKind } from '../appshub/wire.js';
import { eventApp, eventText } from './progress-words.js';
import { terminalLine } from './text.js';

export function progressLines(out: Pick<Writable, 'write'>): ApplyListener {
  const lastState = new Map<string, string | null>();
  return {
    emit(event: ApplyEvent) {
      // READY and FAILED get their own lines (publish-ready, publish-failed).
      if (event.type === 'poll' && (event.state === 'READY' || event.state === 'FAILED') && !event.error) return;
      if (event.type === 'poll' && !event.error) {
        const key = `${event.app}\u0000${event.step}`;
        if (lastState.has(key) && lastState.get(key) === event.state) return;
        lastState.set(key, event.state);
        // A state p7apps does not know gets its own line (publish-state-unknown).
        if (event.state !== null && versionStateKind(event.state) === 'unknown') return;
      }
      const text = eventText(event);
      if (text === null) return;
      const app = eventApp(event);
      out.write(`${terminalLine(`${timestamp(event.at)} ${app === null ? '' : `${app}: `}${text}`)}\n`);
    },
  };
}

/** 2026-01-01T10:00:00Z: second precision is enough for a log, and sorts. */
export function timestamp(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
