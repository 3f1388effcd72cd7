// Text helpers the renderers share: colour that can be switched off as a
// whole, quoting that keeps one value on one line, and the word and line
// diffs used to show what changes in a description.

import { Writable } from 'node:stream';
import { diffLines, diffWords } from 'diff';
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

const sgr = (open: number, close: number) => (text: string) => (text === '' ? '' : `\u001b[${open}m${text}\u001b[${close}m`);
const plain = (text: string) => text;

/** ANSI colours when `color` is true; otherwise every style leaves the text as it is. */
export function palette(color: boolean): Palette {
  if (!color) return { added: plain, removed: plain, changed: plain, conflict: plain, dim: plain, bold: plain };
  return { added: sgr(32, 39), removed: sgr(31, 39), changed: sgr(33, 39), conflict: sgr(31, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}

/** A string on one line, in double quotes, with newlines and control characters escaped. */
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
