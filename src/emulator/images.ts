// Recognises thumbnail images by their bytes, as the server's image field
// does: the file name and the declared content type are not trusted. The set
// is what a Pillow-backed Django ImageField opens for a thumbnail; SVG is not
// among them (Pillow cannot open it), so it is refused like any non-image.

import { createHash } from 'node:crypto';

export interface ImageInfo {
  mediaType: string;
  sha256: string;
  size: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

/** The media type of an image recognised by its bytes, or undefined for anything else. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  // A PNG must carry its header chunk right after the signature.
  if (startsWith(bytes, PNG_SIGNATURE) && startsWith(bytes, ascii('IHDR'), 12)) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if ((startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) && bytes.length >= 13) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(bytes, ascii('BM')) && bytes.length >= 26) return 'image/bmp';
  return undefined;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Image facts for bytes that are an image, or undefined. */
export function describeImage(bytes: Uint8Array): ImageInfo | undefined {
  const mediaType = sniffImageType(bytes);
  if (!mediaType) return undefined;
  return { mediaType, sha256: sha256Hex(bytes), size: bytes.length };
}

/** The entity tag the emulator serves a thumbnail with (README A3). */
export function thumbnailEtag(sha256: string): string {
  return `"sha256-${sha256}"`;
}
