// Terminal display width: how many columns a string takes, not how many
// UTF-16 units it has. A CJK character takes two columns, an emoji sequence
// two, a combining mark none; laying out columns by `.length` misaligns every
// row that holds such a name. string-width knows the Unicode tables.

import stringWidth from 'string-width';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** `text` cut to at most `width` columns, whole graphemes only, with `…` where it was cut. */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let result = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = displayWidth(segment);
    if (used + w > width - 1) break;
    result += segment;
    used += w;
  }
  return `${result}…`;
}

/** `text` padded with spaces to `width` columns (unchanged when already that wide). */
export function padEndToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** `text` fitted to exactly `width` columns: cut with `…` or padded. */
export function fitToWidth(text: string, width: number): string {
  return padEndToWidth(truncateToWidth(text, width), width);
}
