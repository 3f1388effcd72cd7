// What a string from a server or a config may hold is not what a terminal, a
// Markdown page, an XML report or a JSON reader may receive. This module is
// the one place that decides, per destination, how such a string is written:
// - a terminal never gets a control character (C0 with ESC and CR, DEL, C1
//   with U+009B CSI), a bidi override or isolate, an invisible formatting
//   character or a line/paragraph separator: each is shown escaped (`\x1b`,
//   `\u202e`), so a value can neither drive the terminal nor start a line;
// - Markdown gets the same, with its metacharacters and HTML escaped;
// - XML gets the same, so nothing XML 1.0 forbids is written, then entities;
// - JSON keeps every value exactly, but writes the characters above as \u
//   escapes (still the same JSON value), so printing a JSON file is safe.
// Backslashes are left alone for terminals: a value that holds the text
// `\x1b` reads the same as an escaped ESC, which is harmless.

/**
 * Characters that are never written raw to a terminal or a report: controls
 * (Cc), invisible formatting incl. bidi controls and zero-width characters
 * (Cf), line and paragraph separators (Zl, Zp), lone surrogates (Cs), and
 * the two non-characters XML 1.0 forbids.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\uFFFE\uFFFF]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The visible escape for one unsafe character: \n, \x1b, \u202e, \u{e0041}. */
function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.codePointAt(0)!;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/** Whether the text holds a character a terminal or a report must not get raw. */
export function hasUnsafeChars(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}

/**
 * The text with every unsafe character shown escaped: one line, nothing a
 * terminal acts on. Idempotent: its output contains no unsafe character.
 */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * Text shown as it is by Markdown and HTML, on one line (a line break
 * becomes a space), in running text (never at the start of a line, where
 * # + - > would count too): no link, emphasis, table cell break, entity or
 * HTML tag can be opened.
 */
export function markdownText(text: string): string {
  return escapeUnsafe(text.replace(/\r?\n/g, ' '))
    .replace(/[\\`*_[\]|~]/g, (ch) => `\\${ch}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;');
}

/** Text inside an HTML element (a <summary>), where Markdown escapes would show as they are. */
export function htmlText(text: string): string {
  return escapeUnsafe(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // A renderer that reads Markdown inside the element must find no link either.
    .replace(/\[/g, '&#91;')
    .replace(/\]/g, '&#93;');
}

/** An inline code span that survives backticks in the text; unsafe characters shown escaped. */
export function markdownCode(text: string): string {
  const safe = escapeUnsafe(text);
  const longest = Math.max(0, ...(safe.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = safe.startsWith('`') || safe.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${safe}${pad}${fence}`;
}

/** A code fence longer than any run of backticks in the lines, so none of them can close it. */
export function markdownFence(lines: string[]): string {
  const longest = Math.max(0, ...lines.flatMap((line) => line.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** Text for XML content and attribute values: unsafe characters shown escaped (so none XML 1.0 forbids remains), then entities. */
export function xmlText(text: string): string {
  return escapeUnsafe(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Characters JSON.stringify leaves raw that a terminal printing the JSON would act on. */
const JSON_UNSAFE = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}\uFFFE\uFFFF]/gu;

/**
 * JSON.stringify, with DEL, C1, invisible formatting characters and U+2028/
 * U+2029 written as \u escapes: the same JSON value, safe to print.
 * (JSON.stringify already escapes C0 and lone surrogates.)
 */
export function jsonText(value: unknown, space?: number): string {
  const text = JSON.stringify(value, null, space);
  if (text === undefined) return text as unknown as string;
  return text.replace(JSON_UNSAFE, unitEscapes);
}

function unitEscapes(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}
