// Tells an image's type by its bytes, never by its name: a thumbnail is
// uploaded as what it is.

export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | 'image/svg+xml';

export const IMAGE_KINDS = 'a PNG, JPEG, GIF, WebP or SVG image';

function startsWithBytes(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

export function sniffImageType(bytes: Uint8Array): ImageMediaType | undefined {
  if (startsWithBytes(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWithBytes(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWithBytes(bytes, ascii('GIF87a')) || startsWithBytes(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWithBytes(bytes, ascii('RIFF')) && startsWithBytes(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (looksLikeSvg(bytes)) return 'image/svg+xml';
  return undefined;
}

/** How far into a file the SVG root element is looked for (past the XML prolog, comments and doctype). */
const SVG_SNIFF_BYTES = 64 * 1024;

/** `<svg` as the first element, after an optional XML declaration, comments, processing instructions and a doctype. */
function looksLikeSvg(bytes: Uint8Array): boolean {
  let text = new TextDecoder('utf-8').decode(bytes.subarray(0, SVG_SNIFF_BYTES));
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let at = 0;
  for (;;) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    const rest = text.slice(at, at + 10);
    let end: number;
    if (rest.startsWith('<?')) end = endOf(text, '?>', at);
    else if (rest.startsWith('<!--')) end = endOf(text, '-->', at);
    else if (rest.toUpperCase().startsWith('<!DOCTYPE')) end = endOfDoctype(text, at);
    else return /^<svg[\s>/]/.test(text.slice(at, at + 5));
    if (end < 0) return false;
    at = end;
  }
}

function endOf(text: string, terminator: string, from: number): number {
  const found = text.indexOf(terminator, from);
  return found < 0 ? -1 : found + terminator.length;
}

/** A doctype may carry an internal subset in brackets, which may itself contain `>`. */
function endOfDoctype(text: string, from: number): number {
  const bracket = text.indexOf('[', from);
  const close = text.indexOf('>', from);
  if (close < 0) return -1;
  if (bracket < 0 || bracket > close) return close + 1;
  const closeBracket = text.indexOf(']', bracket);
  return closeBracket < 0 ? -1 : endOf(text, '>', closeBracket);
}
