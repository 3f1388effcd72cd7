// Progress on a terminal: one row per app, redrawn in place with plain ANSI
// cursor movement (no dependency), so a person sees at a glance which apps
// are queued, publishing, waiting for READY (and for how long), done or
// failed. Rows are cut to the terminal's width, because a wrapped row would
// break the in-place redraw; past `maxRows` apps the busiest rows are shown
// and the rest are counted on one line.

import type { Writable } from 'node:stream';
import { formatDuration } from '../apply/clock.js';
import { stateName, type ApplyEvent, type ApplyListener } from '../apply/events.js';
import { escapeUnsafe } from './escape.js';
import { eventText, withoutAppName } from './progress-words.js';
import { styleMark, terminalLine } from './text.js';
import { displayWidth, fitToWidth, truncateToWidth } from './width.js';

export interface ProgressTtyOptions {
  color: boolean;
  /** Terminal width; the stream's `columns` or 100. */
  columns?: number;
  maxRows?: number;
  /** Redraw this often so waiting times count up; null: only on events (tests). */
  tickMs?: number | null;
  /** The clock for elapsed times between events; default Date.now. */
  now?: () => number;
}

type Status = 'queued' | 'publishing' | 'checking' | 'busy' | 'waiting' | 'done' | 'failed' | 'interrupted' | 'not-applied';

interface Row {
  app: string;
  status: Status;
  /** What to show after the status word. */
  detail: string;
  version?: number;
  step?: number;
  of?: number;
  state?: string | null;
  /** A state p7apps does not know that the current publish is in (publish-state-unknown). */
  unknownState?: string;
  /** Set when the publish was accepted but its answer unreadable: read back, not sent again. */
  readingBack?: boolean;
  /** When the current publish started, for the waiting time. */
  since?: number;
}

const ACTIVE: Status[] = ['publishing', 'checking', 'busy', 'waiting'];

/** The TTY view: a listener, and the way to show a line of the CLI's own (a signal's message) without the next redraw overwriting it. */
export interface ProgressTtyView extends ApplyListener {
  note(text: string): void;
}

export function progressTty(out: Pick<Writable, 'write'> & { columns?: number }, options: ProgressTtyOptions): ProgressTtyView {
  const rows: Row[] = [];
  const byApp = new Map<string, Row>();
  const maxRows = options.maxRows ?? 20;
  let header = '';
  let notice = '';
  /** A line of the CLI's own (the signal's message), kept in the live region: written beside it, a redraw would overwrite it. */
  let signalNote = '';
  let drawn = 0;
  let active = false;
  let lastAt = 0;
  let ticker: NodeJS.Timeout | undefined;
  const now = () => (options.now ? options.now() : options.tickMs === null ? lastAt : Date.now());
  const paint = (text: string, code: number) => (options.color ? `${styleMark(code)}${text}${styleMark(0)}` : text);
  // A terminal that reports 0 columns (`script`, `docker -t`) does not know its width.
  const width = () => Math.max(20, (options.columns || out.columns || 100) - 1);

  const rowOf = (app: string): Row => {
    let row = byApp.get(app);
    if (!row) {
      row = { app, status: 'queued', detail: '' };
      byApp.set(app, row);
      rows.push(row);
    }
    return row;
  };

  const statusText = (row: Row): string => {
    const v = row.version === undefined ? '' : `v${row.version}`;
    const step = row.of !== undefined && row.of > 1 ? ` (${row.step}/${row.of})` : '';
    switch (row.status) {
      case 'queued':
        return 'queued';
      case 'publishing':
        return `publishing ${v}${step}`;
      case 'checking':
        return row.readingBack ? `${v}: accepted, answer unreadable, reading the app back` : `${v}: response lost, checking whether it was committed`;
      case 'busy':
        return `${v}: ${row.detail}`;
      case 'waiting':
        return `waiting for READY ${v}${step} · ${row.state == null ? 'state unknown' : stateName(row.state)}${row.state != null && row.state === row.unknownState ? ' (a state p7apps does not know)' : ''} · ${formatDuration(now() - (row.since ?? now()))}`;
      default:
        return row.detail;
    }
  };

  const colourOf = (status: Status): number =>
    status === 'done' ? 32 : status === 'failed' ? 31 : status === 'interrupted' || status === 'busy' || status === 'checking' ? 33 : status === 'queued' || status === 'not-applied' ? 2 : 36;

  const visibleRows = (): { shown: Row[]; hidden: Row[] } => {
    if (rows.length <= maxRows) return { shown: rows, hidden: [] };
    const rank = (row: Row) => (ACTIVE.includes(row.status) ? 0 : row.status === 'failed' ? 1 : row.status === 'interrupted' ? 2 : 3);
    const picked = new Set(
      rows
        .map((row, index) => ({ row, index }))
        .sort((a, b) => rank(a.row) - rank(b.row) || a.index - b.index)
        .slice(0, maxRows - 1)
        .map((entry) => entry.row),
    );
    return { shown: rows.filter((row) => picked.has(row)), hidden: rows.filter((row) => !picked.has(row)) };
  };

  // Cut after escaping, so the width counts what is shown.
  const cut = (text: string) => truncateToWidth(escapeUnsafe(text), width());

  const redraw = () => {
    if (!active) return;
    const { shown, hidden } = visibleRows();
    // Names escaped before they are measured, so the width counts what is shown.
    const names = new Map(shown.map((row) => [row, escapeUnsafe(row.app)]));
    const nameWidth = Math.min(30, Math.max(...[...names.values()].map((name) => displayWidth(name)), 4));
    const lines = [cut(header)];
    for (const row of shown) {
      const name = fitToWidth(names.get(row)!, nameWidth);
      lines.push(paint(cut(`  ${name}  ${statusText(row)}`), colourOf(row.status)));
    }
    if (hidden.length > 0) {
      const counts = new Map<Status, number>();
      for (const row of hidden) counts.set(row.status, (counts.get(row.status) ?? 0) + 1);
      lines.push(cut(`  … ${hidden.length} more: ${[...counts].map(([status, n]) => `${n} ${status}`).join(', ')}`));
    }
    if (signalNote) lines.push(paint(cut(signalNote), 33));
    lines.push(notice ? paint(cut(notice), 33) : '');
    let text = drawn > 0 ? `\x1b[${drawn}F` : '';
    for (const line of lines) text += `\x1b[2K${terminalLine(line)}\n`;
    for (let extra = lines.length; extra < drawn; extra++) text += '\x1b[2K\n';
    out.write(text);
    drawn = Math.max(drawn, lines.length);
  };

  const stop = () => {
    if (ticker) clearInterval(ticker);
    ticker = undefined;
  };

  return {
    emit(event: ApplyEvent) {
      lastAt = event.at;
      switch (event.type) {
        case 'apply-start':
          header = eventText(event) ?? '';
          for (const app of event.apps) rowOf(app.app);
          active = true;
          if (options.tickMs !== null) {
            ticker = setInterval(redraw, options.tickMs ?? 1000);
            ticker.unref();
          }
          break;
        case 'publish-start':
          Object.assign(rowOf(event.app), { status: 'publishing', version: event.version, step: event.step, of: event.of, since: event.at, state: null, unknownState: undefined, readingBack: false });
          break;
        case 'publish-sent':
          Object.assign(rowOf(event.app), { status: 'waiting', state: event.response.state });
          break;
        case 'publish-ambiguous':
          Object.assign(rowOf(event.app), { status: 'checking', readingBack: event.committed === true });
          break;
        case 'publish-state-unknown':
          Object.assign(rowOf(event.app), { status: 'waiting', state: event.state, unknownState: event.state });
          break;
        case 'publish-recheck':
          if (event.tookEffect) rowOf(event.app).status = 'waiting';
          break;
        case 'publish-resend':
          Object.assign(rowOf(event.app), {
            status: 'busy',
            detail: event.reason === 'response-lost' ? 'not committed, sending again' : `${event.reason === 'server-busy' ? 'server busy' : 'server unreachable'}, sending again in ${formatDuration(event.waitMs)}`,
          });
          break;
        case 'poll':
          if (!event.error) rowOf(event.app).state = event.state;
          rowOf(event.app).status = 'waiting';
          break;
        case 'publish-ready':
          Object.assign(rowOf(event.app), { status: 'publishing', detail: '' });
          break;
        case 'publish-failed':
          Object.assign(rowOf(event.app), { status: 'failed', detail: `failed: ${withoutAppName(event.app, event.error)}` });
          break;
        case 'publish-unconfirmed':
          Object.assign(rowOf(event.app), { status: 'interrupted', detail: `v${event.version} sent, not yet confirmed READY` });
          break;
        case 'app-done': {
          const row = rowOf(event.app);
          if (event.outcome === 'done') Object.assign(row, { status: 'done', detail: `done (${event.ready} READY)` });
          else if (event.outcome === 'interrupted' && row.status !== 'interrupted') Object.assign(row, { status: 'interrupted', detail: 'interrupted' });
          break;
        }
        case 'app-skipped':
          if (!active) {
            out.write(`${terminalLine(`${event.app}: ${eventText(event)}`)}\n`);
            return;
          }
          Object.assign(rowOf(event.app), { status: event.reason === 'interrupted' ? 'interrupted' : 'not-applied', detail: eventText(event) });
          break;
        case 'interrupted':
          notice = eventText(event) ?? '';
          break;
        case 'apply-done':
          notice = '';
          redraw();
          stop();
          active = false;
          out.write(`${terminalLine(eventText(event) ?? '')}\n`);
          return;
        default: {
          const text = eventText(event);
          if (!active && text !== null) out.write(`${terminalLine(text)}\n`);
          return;
        }
      }
      redraw();
    },
    close: stop,
    note(text: string) {
      if (!active) {
        out.write(`${terminalLine(text)}\n`);
        return;
      }
      signalNote = text;
      redraw();
    },
  };
}
