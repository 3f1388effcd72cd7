// Recognises thumbnail images by their bytes, as the server's image field
// does: the file name and the declared content type are not trusted.
// ASSUMPTION A14: the server accepts the image types the config accepts (PNG,
// JPEG, GIF, WebP, SVG), so one sniffer serves both sides and a thumbnail the
// config validates is never refused by the emulator.

import { createHash } from 'node:crypto';
import { sniffImageType } from '../config/image-type.js';

export interface ImageInfo {
  mediaType: string;
  sha256: string;
  size: number;
}

export { IMAGE_KINDS, sniffImageType } from '../config/image-type.js';

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
