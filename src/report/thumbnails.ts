// The images the HTML reports show: each app's thumbnail as the config has it
// (the image file, read again) and as the server has it, inlined as data:
// URIs so the page needs no network. Gathered after planning, with the
// client that read the server still open; the plan itself stays pure and
// holds only what it compares (the server's URL and the sha256 of its bytes).
//
// The server's image is fetched only when it is needed: when the server's
// sha256 is the config's (it answered 304 to the config's bytes while
// planning), the config's bytes are shown on both sides; a thumbnail that
// could not be read while planning is not asked for again. Images are capped
// (MAX_INLINE_IMAGE_BYTES) and must be recognised as an image by their bytes,
// so only a PNG, JPEG, GIF, WebP or SVG of a known media type is inlined.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isUnknown, type AppsHubApi } from '../appshub/types.js';
import { unreadableThumbnailReason } from '../appshub/wire.js';
import { sniffImageType } from '../config/image-type.js';
import type { DesiredApp, DesiredState } from '../config/desired.js';
import { createLimiter } from '../observe/limit.js';
import type { ObservedApp, ObservedState } from '../plan/observed.js';
import { sizeText } from '../render/html-page.js';
import type { AppThumbnails, ReportImage, ReportThumbnails } from '../render/types.js';

/** The largest image inlined in a report; a larger one is named, not shown, so a page stays small. */
export const MAX_INLINE_IMAGE_BYTES = 256 * 1024;

export interface GatherOptions {
  parallelism?: number;
  signal?: AbortSignal;
  maxImageBytes?: number;
}

function tooLarge(size: number, maxBytes: number): ReportImage {
  return { kind: 'missing', text: `too large to show here (${sizeText(size)}; the report shows up to ${sizeText(maxBytes)})` };
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The image as a data: URI, or why it is not shown. */
export function inlineImage(bytes: Uint8Array, maxBytes = MAX_INLINE_IMAGE_BYTES): ReportImage {
  if (bytes.length > maxBytes) return tooLarge(bytes.length, maxBytes);
  const mediaType = sniffImageType(bytes);
  if (mediaType === undefined) return { kind: 'missing', text: 'not a PNG, JPEG, GIF, WebP or SVG image' };
  return { kind: 'image', dataUri: `data:${mediaType};base64,${Buffer.from(bytes).toString('base64')}`, mediaType, size: bytes.length, sha256: sha256Hex(bytes) };
}

export async function gatherThumbnails(
  api: Pick<AppsHubApi, 'fetchThumbnail'>,
  desired: DesiredState,
  observed: ObservedState,
  options: GatherOptions = {},
): Promise<ReportThumbnails> {
  const maxBytes = options.maxImageBytes ?? MAX_INLINE_IMAGE_BYTES;
  const limit = createLimiter(Math.max(1, options.parallelism ?? 4), options.signal);
  const byName = new Map<string, ObservedApp[]>();
  for (const app of observed.apps) byName.set(app.name, [...(byName.get(app.name) ?? []), app]);
  const declared = new Set(desired.apps.map((app) => app.name));

  const fetchServer = async (app: ObservedApp, config: ReportImage): Promise<ReportImage> => {
    const thumbnail = app.thumbnail;
    if (isUnknown(thumbnail)) return { kind: 'missing', text: 'the server did not report it' };
    if (thumbnail === null) return { kind: 'missing', text: 'no thumbnail' };
    const { url, sha256 } = thumbnail;
    if (isUnknown(sha256) && sha256.raw !== undefined) return { kind: 'missing', text: `could not be read while planning: ${sha256.raw}` };
    if (!isUnknown(sha256) && config.kind === 'image' && config.sha256 === sha256.toLowerCase()) return config;
    try {
      const fetched = await limit(() => api.fetchThumbnail(url, options.signal ? { signal: options.signal } : {}));
      if (fetched.status !== 'fetched') return { kind: 'missing', text: 'the server sent no image' };
      return inlineImage(fetched.bytes, maxBytes);
    } catch (err) {
      const why = options.signal?.aborted ? undefined : unreadableThumbnailReason(err);
      if (why === undefined) throw err;
      return { kind: 'missing', text: `could not be read: ${why}` };
    }
  };

  const managed = new Map<string, AppThumbnails>();
  const unmanaged = new Map<string, AppThumbnails>();
  await Promise.all([
    ...desired.apps.map(async (app) => {
      const config = await configImage(app, maxBytes);
      const matches = byName.get(app.name) ?? [];
      const [only] = matches;
      const server: ReportImage =
        only === undefined
          ? { kind: 'missing', text: 'the app is not on the server' }
          : matches.length > 1
            ? { kind: 'missing', text: 'the server lists more than one app under this name' }
            : await fetchServer(only, config);
      managed.set(app.name, { config, server });
    }),
    ...observed.apps
      .filter((app) => !declared.has(app.name))
      .map(async (app) => {
        unmanaged.set(app.id, { config: { kind: 'missing', text: 'not in the config' }, server: await fetchServer(app, { kind: 'missing', text: '' }) });
      }),
  ]);
  return { managed, unmanaged };
}

/**
 * A step for `plan(options, whileOpen)` (src/operations.ts) that gathers the
 * report's thumbnails with the signed-in client into `into.thumbnails`.
 */
export function gatherInto(into: { thumbnails?: ReportThumbnails }, options: GatherOptions) {
  return async (api: Pick<AppsHubApi, 'fetchThumbnail'>, outcome: { desired: DesiredState; observed: ObservedState }): Promise<void> => {
    into.thumbnails = await gatherThumbnails(api, outcome.desired, outcome.observed, options);
  };
}

/** The config's image file, read again and checked against what the config was loaded with. */
async function configImage(app: DesiredApp, maxBytes: number): Promise<ReportImage> {
  const thumbnail = app.thumbnail;
  if (thumbnail === undefined) return { kind: 'missing', text: 'not managed by the config' };
  if (thumbnail.size > maxBytes) return tooLarge(thumbnail.size, maxBytes);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(thumbnail.path);
  } catch (err) {
    return { kind: 'missing', text: `${thumbnail.declaredAs} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (sha256Hex(bytes) !== thumbnail.sha256.toLowerCase()) return { kind: 'missing', text: `${thumbnail.declaredAs} changed since the config was read` };
  return inlineImage(bytes, maxBytes);
}
