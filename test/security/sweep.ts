// One place for every byte a security test captured (stdout, stderr, error
// messages, saved plans, reports, summary files), so that the file's last
// test can grep all of it for the secrets at once. Distinctive secrets make
// a leak impossible to miss and impossible to find by accident.

import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { escapeUnsafe, htmlText, markdownText, xmlText } from '../../src/render/escape.js';
import type { CliRun } from '../helpers/cli.js';

export const SECRET_TOKEN = 'p7sec-TOKEN-5b9e0d2c7a41f836';
export const SECRET_PASSWORD = 'p7sec-PASSWORD-e3c1#9f7 0a';
/** A token the server does not know: rejected, and still never shown. */
export const WRONG_TOKEN = 'p7sec-WRONGTOKEN-1f4d8c2b90';

/**
 * The ways a secret can be written down: as it is, URL-encoded, JSON-escaped, base64 (Basic auth, a data URL),
 * and as each output format escapes text (terminal, Markdown, HTML, XML).
 */
function forms(secret: string): string[] {
  return [
    ...new Set([
      secret,
      encodeURIComponent(secret),
      JSON.stringify(secret).slice(1, -1),
      Buffer.from(secret).toString('base64'),
      escapeUnsafe(secret),
      markdownText(secret),
      htmlText(secret),
      xmlText(secret),
    ]),
  ];
}

export class Sweep {
  readonly #items: { label: string; text: string }[] = [];

  add(label: string, text: string | Uint8Array): void {
    this.#items.push({ label, text: typeof text === 'string' ? text : Buffer.from(text).toString('latin1') });
  }

  /** Both streams of a CLI run. */
  addRun(label: string, run: CliRun): CliRun {
    this.add(`${label}: stdout`, run.stdout);
    this.add(`${label}: stderr`, run.stderr);
    return run;
  }

  /** An error as a person or a log would see it: message, hint, JSON form, and the messages of its causes. */
  addError(label: string, err: unknown): void {
    const parts: string[] = [];
    for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
      const { message, hint } = e as { message?: unknown; hint?: unknown };
      parts.push(String(message), String(hint), String(e));
    }
    parts.push(JSON.stringify(err) ?? '');
    this.add(label, parts.join('\n'));
  }

  /** Every file under `target` (or the file itself); nothing when it does not exist. */
  async addFiles(label: string, target: string): Promise<void> {
    const info = await stat(target).catch(() => undefined);
    if (!info) return;
    if (info.isFile()) {
      this.add(`${label}: ${target}`, await readFile(target));
      return;
    }
    for (const entry of await readdir(target, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) await this.addFiles(label, path.join(entry.parentPath, entry.name));
    }
  }

  get size(): { items: number; bytes: number } {
    return { items: this.#items.length, bytes: this.#items.reduce((n, i) => n + i.text.length, 0) };
  }

  /** `label: secret` for each captured text holding one of the secrets in any of its forms. */
  leaks(secrets: string[]): string[] {
    const found: string[] = [];
    for (const { label, text } of this.#items) {
      for (const secret of secrets) {
        if (forms(secret).some((form) => text.includes(form))) found.push(`${label}: ${secret}`);
      }
    }
    return found;
  }
}

/** Lines a stack trace is made of. */
export const STACK_LINE = /^\s+at .+/m;
