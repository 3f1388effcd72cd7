// The apply lock: one apply at a time per checkout. `.p7apps.lock` is created
// beside the config with O_EXCL (so of two applies started together exactly
// one gets it) and holds who took it: pid, host, start time and command. A
// lock left by a process that is gone (same host, pid not running) or older
// than a bound is taken over with a notice; a live one is refused, naming its
// holder. It is removed when the apply ends, on Ctrl-C too (a second Ctrl-C
// exits at once; the process's exit hook removes it then).
//
// It protects one machine's checkout only: two CI runners or two people on two
// machines each take their own lock. See docs/concurrency.md.

import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { P7appsError } from '../errors.js';
import { NOT_A_REGULAR_FILE, NotARegularFile, readRegularFile } from '../fs-read.js';
import { formatDuration } from './clock.js';

export const LOCK_FILE_NAME = '.p7apps.lock';
/** A lock older than this is taken over even when its holder cannot be checked (another host). */
export const DEFAULT_LOCK_STALE_AFTER_MS = 6 * 60 * 60 * 1000;

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO 8601. */
  startedAt: string;
  command: string;
  /** Random, so a lock is released only by the run that took it. */
  token: string;
}

export interface LockOptions {
  command: string;
  staleAfterMs?: number;
  /** Told when a stale lock is taken over. */
  notice?: (text: string) => void;
  now?: () => number;
  pid?: number;
  host?: string;
  /** Whether a process of this host is running (default: signal 0). */
  isRunning?: (pid: number) => boolean;
}

export interface HeldLock {
  path: string;
  holder: LockHolder;
  release(): Promise<void>;
}

export async function acquireApplyLock(configDir: string, options: LockOptions): Promise<HeldLock> {
  const file = path.join(configDir, LOCK_FILE_NAME);
  const now = options.now ?? Date.now;
  const holder: LockHolder = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    startedAt: new Date(now()).toISOString(),
    command: options.command,
    token: randomBytes(8).toString('hex'),
  };
  for (let attempt = 1; ; attempt++) {
    if (await createExclusive(file, holder)) return held(file, holder);
    const existing = await readHolder(file);
    if (existing === 'gone') {
      if (attempt > 5) throw lockError(file, new Error('the lock file keeps appearing and disappearing'));
      continue;
    }
    const stale = staleness(existing, holder.host, now(), options);
    if (stale === null || attempt > 2) throw refusal(file, existing);
    options.notice?.(`Taking over the apply lock ${file}: ${stale}.\n`);
    await removeIfStill(file, existing);
  }
}

/**
 * Removes the stale lock `existing` unless another run has replaced it since it was read.
 * It is moved aside first and what was moved is compared with what was judged stale: of two
 * runs taking over at once, the slower one may move the winner's fresh lock, and then puts it
 * back (with link, which never overwrites) instead of deleting it.
 */
async function removeIfStill(file: string, existing: Existing): Promise<void> {
  const aside = `${file}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw lockError(file, err);
  }
  let moved: string | null;
  try {
    moved = (await readRegularFile(aside)).toString('utf8');
  } catch {
    moved = null;
  }
  if (moved !== existing.text) {
    try {
      await link(aside, file);
    } catch (err) {
      // EEXIST: a third run has taken the lock meanwhile; the moved one's holder will find its lock gone.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(file, err);
    }
  }
  try {
    await unlink(aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw lockError(file, err);
  }
}

async function createExclusive(file: string, holder: LockHolder): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockError(file, err);
  }
  try {
    await handle.writeFile(`${JSON.stringify(holder, null, 2)}\n`, 'utf8');
  } finally {
    await handle.close();
  }
  return true;
}

type Existing = { holder: LockHolder | null; mtimeMs: number; text: string };

async function readHolder(file: string): Promise<Existing | 'gone'> {
  try {
    // Read without blocking: a FIFO under the lock's name (a checkout can hold one) would wait for ever.
    const [text, stats] = await Promise.all([readRegularFile(file).then((bytes) => bytes.toString('utf8')), stat(file)]);
    return { holder: parseHolder(text), mtimeMs: stats.mtimeMs, text };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    if (err instanceof NotARegularFile) {
      throw new P7appsError(`cannot take the apply lock ${file}: it is ${NOT_A_REGULAR_FILE}`, {
        hint: 'p7apps writes .p7apps.lock next to the config while it applies, and removes it after: remove what is there under that name.',
      });
    }
    throw lockError(file, err);
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string' || typeof value.startedAt !== 'string') return null;
    return { pid: value.pid, host: value.host, startedAt: value.startedAt, command: String(value.command ?? ''), token: String(value.token ?? '') };
  } catch {
    return null;
  }
}

/** Why an existing lock may be taken over; null when it must be respected. */
function staleness(existing: Existing, host: string, now: number, options: LockOptions): string | null {
  const { holder } = existing;
  const started = holder ? Date.parse(holder.startedAt) : Number.NaN;
  const age = now - (Number.isFinite(started) ? started : existing.mtimeMs);
  const bound = options.staleAfterMs ?? DEFAULT_LOCK_STALE_AFTER_MS;
  if (holder && holder.host === host && !(options.isRunning ?? isRunning)(holder.pid)) {
    return `process ${holder.pid} that took it on this host is no longer running`;
  }
  if (age > bound) return `it was taken ${formatDuration(age)} ago, longer than any apply runs (${formatDuration(bound)})`;
  return null;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function refusal(file: string, existing: Existing): P7appsError {
  const { holder } = existing;
  const who = holder
    ? `process ${holder.pid} on ${JSON.stringify(holder.host)}, started ${holder.startedAt}${holder.command ? ` (${JSON.stringify(holder.command)})` : ''}`
    : 'a run whose lock file cannot be read';
  return new P7appsError(`another apply is running for this config: ${file} is held by ${who}`, {
    hint: 'Wait for it to finish and plan again. If that process is not running any more (say, on a machine that crashed), delete the lock file.',
  });
}

function lockError(file: string, err: unknown): P7appsError {
  const code = (err as NodeJS.ErrnoException).code;
  return new P7appsError(`cannot take the apply lock ${file}${code ? ` (${code})` : ''}`, {
    hint: 'p7apps writes .p7apps.lock next to the config while it applies: make that folder writable.',
    cause: err,
  });
}

function held(file: string, holder: LockHolder): HeldLock {
  const ours = () => {
    try {
      return parseHolder(readFileSync(file, 'utf8'))?.token === holder.token;
    } catch {
      return false;
    }
  };
  // A second Ctrl-C ends the process at once, past every finally: the lock goes with it.
  const onExit = () => {
    if (!ours()) return;
    try {
      unlinkSync(file);
    } catch {
      // Nothing more can be done while exiting.
    }
  };
  process.on('exit', onExit);
  let released = false;
  return {
    path: file,
    holder,
    async release() {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      if (!ours()) return;
      try {
        await unlink(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw lockError(file, err);
      }
    },
  };
}
