// Publishes an apply left unconfirmed: the answer was lost, and the run
// ended (at its --timeout, or by Ctrl-C) before the late-commit window had
// passed. The server may still commit such a publish after the run ends. The
// next apply, planning at once, would not see it yet and would send the
// version again, and the late commit would then land on top of it: a second
// version, made the default. So the run notes each one in
// `.p7apps.unconfirmed.json` beside the config, with the time its window
// ends, and the next apply from this checkout waits until then before it
// reads the server; by then the plan sees whatever the server committed.
//
// One checkout only, like the apply lock: an apply on another machine (a CI
// job re-run on a fresh runner) does not see the note. See docs/concurrency.md.

import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { P7appsError } from '../errors.js';
import { writeFileAtomically } from '../fs-atomic.js';
import { NOT_A_REGULAR_FILE, NotARegularFile, readRegularFile } from '../fs-read.js';
import { escapeUnsafe } from '../render/escape.js';

export const UNCONFIRMED_FILE_NAME = '.p7apps.unconfirmed.json';
/** The longest wait a note can ask of the next apply. */
const LONGEST_WAIT_MS = 24 * 60 * 60 * 1000;
const FORMAT_VERSION = 1;

export interface UnconfirmedPublish {
  /** The server the publish went to: named when the next apply waits (it waits whichever server it reads). */
  server: string;
  app: string;
  version: number;
  /** When its late-commit window ends (ISO 8601): a commit after then is not expected. */
  until: string;
}

interface NoteFile {
  formatVersion: 1;
  publishes: UnconfirmedPublish[];
}

/** The publishes whose window has not ended by `now`, noted in `configDir`; none when there is no note. */
export async function pendingUnconfirmed(configDir: string, now: number): Promise<UnconfirmedPublish[]> {
  const file = path.join(configDir, UNCONFIRMED_FILE_NAME);
  let text: string;
  try {
    // Never blocking: a FIFO put there would otherwise hold every later apply at its start.
    text = (await readRegularFile(file)).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    const why = err instanceof NotARegularFile ? `it is ${NOT_A_REGULAR_FILE}` : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    throw new P7appsError(`cannot read ${escapeUnsafe(file)} (${why})`, { hint: DELETE_HINT });
  }
  const publishes = parseNote(text);
  if (publishes === undefined) throw new P7appsError(`${escapeUnsafe(file)} is not a note of unconfirmed publishes that p7apps wrote`, { hint: DELETE_HINT });
  // A window that ends more than a day from now is no window p7apps noted: the next apply would wait for it.
  if (publishes.some((p) => Date.parse(p.until) - now > LONGEST_WAIT_MS)) {
    throw new P7appsError(`${escapeUnsafe(file)} names a late-commit window that ends more than a day from now`, { hint: DELETE_HINT });
  }
  return publishes.filter((p) => Date.parse(p.until) > now);
}

const DELETE_HINT =
  'It lists publishes an earlier apply could not confirm, so that the next one waits for their late commits. Once their late-commit window has passed since that apply ended (2 minutes, unless it was run with --late-commit-window), delete the file and apply again.';

/** Adds `publishes` to the note in `configDir`, keeping those noted before whose window has not ended. */
export async function noteUnconfirmed(configDir: string, publishes: readonly UnconfirmedPublish[], now: number): Promise<void> {
  if (publishes.length === 0) return;
  let kept: UnconfirmedPublish[] = [];
  try {
    kept = await pendingUnconfirmed(configDir, now);
  } catch {
    // A note that cannot be read is replaced: what this run has to say is the newer news.
  }
  const note: NoteFile = { formatVersion: FORMAT_VERSION, publishes: [...kept, ...publishes] };
  await writeFileAtomically(path.join(configDir, UNCONFIRMED_FILE_NAME), `${JSON.stringify(note, null, 2)}\n`);
}

/** Removes the note: the run waited its windows out, and what it plans now sees what the server committed. */
export async function forgetUnconfirmed(configDir: string): Promise<void> {
  await unlink(path.join(configDir, UNCONFIRMED_FILE_NAME)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

function parseNote(text: string): UnconfirmedPublish[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const note = value as Partial<NoteFile> | null;
  if (typeof note !== 'object' || note === null || note.formatVersion !== FORMAT_VERSION || !Array.isArray(note.publishes)) return undefined;
  const valid = note.publishes.every(
    (p: Partial<UnconfirmedPublish> | null) =>
      typeof p === 'object' &&
      p !== null &&
      typeof p.server === 'string' &&
      typeof p.app === 'string' &&
      Number.isSafeInteger(p.version) &&
      typeof p.until === 'string' &&
      Number.isFinite(Date.parse(p.until)),
  );
  return valid ? (note.publishes as UnconfirmedPublish[]) : undefined;
}
