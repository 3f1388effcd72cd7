// Text helpers the renderers share: colour that can be switched off as a
// whole, quoting that keeps one value on one line, the word and line diffs
// used to show what changes in a description, and terminalLine, the one
// step every line meant for a terminal goes through last.
//
// Colour is not written as escape sequences while a line is built: the
// palette marks where a style starts and ends, and terminalLine first shows
// every unsafe character of the line escaped (./escape.ts: server and config
// text can hold ESC, CR, bidi overrides...) and only then turns the marks
// into SGR sequences. So the line's own colours survive and nothing a value
// holds reaches the terminal raw. The marks carry a random per-process key,
// so a value cannot forge one.

import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { diffLines, diffWords } from 'diff';
import { escapeUnsafe } from './escape.js';
import { isUnknown, type Maybe, type Workspace } from '../appshub/types.js';
import type { WorkspaceRef } from '../config/desired.js';
import type { ThumbnailRef } from '../plan/types.js';

export interface Palette {
  added: (text: string) => string;
  removed: (text: string) => string;
  changed: (text: string) => string;
  conflict: (text: string) => string;
  dim: (text: string) => string;
  bold: (text: string) => string;
}

const MARK_KEY = randomBytes(8).toString('hex');
const MARK = new RegExp(`\uE000${MARK_KEY}:(\\d{1,3})\uE001`, 'g');

/** A style mark standing for SGR `code` until terminalLine writes it. */
export function styleMark(code: number): string {
  return `\uE000${MARK_KEY}:${code}\uE001`;
}

/**
 * A line as a terminal may receive it: every unsafe character of the text
 * shown escaped (so a value can neither drive the terminal nor start a new
 * line), then the palette's marks turned into SGR sequences.
 */
export function terminalLine(line: string): string {
  return escapeUnsafe(line).replace(MARK, (_, code: string) => `\u001b[${code}m`);
}

/** Every line of a block through terminalLine, joined with newlines. */
export function terminalLines(lines: string[]): string {
  return lines.map(terminalLine).join('\n');
}

const sgr = (open: number, close: number) => (text: string) => (text === '' ? '' : `${styleMark(open)}${text}${styleMark(close)}`);
const plain = (text: string) => text;

/** ANSI colours (as marks for terminalLine) when `color` is true; otherwise every style leaves the text as it is. */
export function palette(color: boolean): Palette {
  if (!color) return { added: plain, removed: plain, changed: plain, conflict: plain, dim: plain, bold: plain };
  return { added: sgr(32, 39), removed: sgr(31, 39), changed: sgr(33, 39), conflict: sgr(31, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}

/** A string on one line, in double quotes, with newlines and control characters escaped. */
/** ` (environment staging)` after a header's server, or nothing when the config declares no environments. */
export function environmentSuffix(environment: string | undefined): string {
  return environment === undefined ? '' : ` (environment ${environment})`;
}

export function quote(text: string): string {
  return JSON.stringify(text);
}

/** Quoted and cut to about `max` characters, for a value shown in passing. */
export function quoteShort(text: string, max = 32): string {
  const chars = [...text];
  return chars.length <= max ? quote(text) : `${quote(chars.slice(0, max).join('')).slice(0, -1)}..."`;
}

export function maybeText<T>(value: Maybe<T>, text: (v: T) => string = String): string {
  return isUnknown(value) ? '(unknown)' : text(value);
}

export function workspaceText(workspace: Maybe<Workspace | WorkspaceRef>): string {
  if (isUnknown(workspace)) return '(unknown workspace)';
  const parts: string[] = [];
  if (workspace.name !== undefined) parts.push(quote(workspace.name));
  if (workspace.id !== undefined) parts.push(workspace.name !== undefined ? `(id ${workspace.id})` : `id ${workspace.id}`);
  return parts.join(' ');
}

export function thumbnailText(ref: Maybe<ThumbnailRef | null>): string {
  if (ref === null) return '(none)';
  if (isUnknown(ref)) return '(unknown)';
  return `${ref.source} (sha256 ${isUnknown(ref.sha256) ? 'unknown' : ref.sha256.slice(0, 12)})`;
}

/** Whether a description is best shown line by line. */
export function isMultiline(...texts: (string | null)[]): boolean {
  return texts.some((t) => t !== null && t.replace(/\n$/, '').includes('\n'));
}

export interface DiffLine {
  sign: '+' | '-' | ' ';
  text: string;
}

/** Line diff: every line of both texts, marked kept, removed or added. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const part of diffLines(before, after)) {
    const sign = part.added ? '+' : part.removed ? '-' : ' ';
    for (const text of part.value.replace(/\n$/, '').split('\n')) lines.push({ sign, text });
  }
  return lines;
}

/**
 * Word diff on one line: removed words as [-...-] and added ones as {+...+}
 * (git's --word-diff=plain), coloured instead when the palette colours.
 */
export function wordDiff(before: string, after: string, colors: Palette, color: boolean): string {
  return diffWords(before, after)
    .map((part) => {
      const text = JSON.stringify(part.value).slice(1, -1);
      if (part.added) return color ? colors.added(text) : `{+${text}+}`;
      if (part.removed) return color ? colors.removed(text) : `[-${text}-]`;
      return text;
    })
    .join('');
}

/** Runs a renderer into a string, for a second destination such as a job summary file. */
export function renderToString(render: (out: NodeJS.WritableStream) => void): string {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  render(sink);
  return text;
}
