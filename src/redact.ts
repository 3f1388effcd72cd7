// The one place that keeps the token and the password out of what p7apps
// prints or writes. A Redactor is given the secrets of a run (the token from
// the environment or from signing in, the password) and replaces each,
// wherever it occurs, with [REDACTED]: in error messages and causes (the
// AppsHub client), and in every byte the CLI writes to its streams and files
// (app names, descriptions, workspaces, workflow paths, state details, URLs:
// whatever field a server echoes a secret in). A secret is matched in every
// form p7apps may write it in: as it is, URL-encoded, base64, JSON-escaped,
// and as each output format escapes text (terminal, Markdown, HTML, XML).

import { escapeUnsafe, htmlText, jsonText, markdownText, xmlText } from './render/escape.js';

export const REDACTED = '[REDACTED]';

/**
 * A written form of a secret shorter than this is hidden only where it stands
 * on its own, not inside a longer run of letters, digits and underscores: a
 * password of `test` hidden everywhere turned "tests passed" into
 * "[REDACTED]s passed" and every word holding it. Longer forms are hidden
 * wherever they occur.
 */
const SHORT_FORM_LENGTH = 8;
const WORD_CHARACTER = '[\\p{L}\\p{N}_]';

/** The environment variables that hold a secret. */
export const SECRET_ENV_VARIABLES = ['P7APPS_TOKEN', 'DA__P7__REST_AUTHTOKEN', 'P7APPS_PASSWORD'] as const;

/** Hides every secret it was given in text that came from the server, the network or a config. */
export class Redactor {
  readonly #secrets = new Set<string>();
  /** Every written form of every secret, longest first. */
  #forms: string[] = [];
  /** The forms of SHORT_FORM_LENGTH or more characters, hidden wherever they occur. */
  #longForms: string[] = [];
  /** The shorter forms, each where no word character touches it; undefined when there are none. */
  #shortForms: RegExp | undefined;

  /** A redactor for the secrets of the environment (P7APPS_TOKEN, DA__P7__REST_AUTHTOKEN, P7APPS_PASSWORD). */
  static fromEnv(env: NodeJS.ProcessEnv): Redactor {
    const redactor = new Redactor();
    for (const name of SECRET_ENV_VARIABLES) redactor.add(env[name]);
    return redactor;
  }

  add(secret: string | undefined): void {
    if (!secret) return;
    for (const value of [secret, secret.trim()]) {
      if (value === '' || this.#secrets.has(value)) continue;
      this.#secrets.add(value);
      const forms = [
        value,
        encodeURIComponent(value),
        Buffer.from(value).toString('base64'),
        JSON.stringify(value).slice(1, -1),
        jsonText(value).slice(1, -1),
        escapeUnsafe(value),
        markdownText(value),
        htmlText(value),
        xmlText(value),
      ];
      this.#forms = [...new Set([...this.#forms, ...forms])].sort((a, b) => b.length - a.length);
    }
    this.#longForms = this.#forms.filter((form) => form.length >= SHORT_FORM_LENGTH);
    const short = this.#forms.filter((form) => form.length < SHORT_FORM_LENGTH);
    this.#shortForms =
      short.length === 0 ? undefined : new RegExp(`(?<!${WORD_CHARACTER})(?:${short.map(escapeForPattern).join('|')})(?!${WORD_CHARACTER})`, 'gu');
  }

  redact(text: string): string {
    let out = text;
    for (const form of this.#longForms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return this.#shortForms === undefined ? out : out.replace(this.#shortForms, REDACTED);
  }

  /** Whether the text holds one of the secrets, in any form. */
  contains(text: string): boolean {
    if (this.#longForms.some((form) => text.includes(form))) return true;
    if (this.#shortForms === undefined) return false;
    this.#shortForms.lastIndex = 0;
    return this.#shortForms.test(text);
  }
}

/**
 * A URL as it may be shown: without user name, password, query or fragment,
 * which can hold credentials (`https://host/?token=...`). Other text (not
 * an http(s) URL) is cut at the first `?` or `#` and loses anything before an `@`.
 */
export function shownUrl(text: string): string {
  if (URL.canParse(text) && /^https?:$/.test(new URL(text).protocol)) {
    const url = new URL(text);
    const hidden = url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '';
    return hidden ? `${url.protocol}//${url.host}${url.pathname}${url.search || url.hash ? '?…' : ''}${url.username || url.password ? ' (credentials not shown)' : ''}` : text;
  }
  const cut = text.replace(/[?#].*$/s, (rest) => (rest ? '?…' : ''));
  return cut.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, (_, scheme: string | undefined) => `${scheme ?? ''}…@`);
}

function escapeForPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
