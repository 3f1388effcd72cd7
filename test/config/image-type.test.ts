// Sniffing an image's type from its first bytes.

import { describe, expect, it } from 'vitest';
import { sniffImageType } from '../../src/config/image-type.js';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));

describe('sniffImageType', () => {
  it.each<[string, Buffer, string | undefined]>([
    ['a PNG signature', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'rest'), 'image/png'],
    ['half a PNG signature', bytes([0x89, 0x50, 0x4e, 0x47]), undefined],
    ['a JPEG start of image', bytes([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'],
    ['GIF87a', bytes('GIF87a', [1, 0, 1, 0]), 'image/gif'],
    ['a RIFF file that is not WebP', bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt '), undefined],
    ['WebP', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '), 'image/webp'],
    ['a bare svg element', bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml'],
    ['svg after a byte order mark and blank lines', bytes('\uFEFF\n\n  <svg>'), 'image/svg+xml'],
    ['svg after a processing instruction and two comments', bytes('<?xml version="1.0"?><!-- a --><!-- b --><svg viewBox="0 0 1 1"></svg>'), 'image/svg+xml'],
    ['an element that only starts like svg', bytes('<svgx/>'), undefined],
    ['an unterminated comment', bytes('<!-- <svg>'), undefined],
    ['HTML', bytes('<!DOCTYPE html><html><svg></svg></html>'), undefined],
    ['text', bytes('hello'), undefined],
    ['nothing', bytes(), undefined],
  ])('%s', (_name, input, expected) => {
    expect(sniffImageType(input)).toBe(expected);
  });
});
