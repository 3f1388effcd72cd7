// The apply lock (src/apply/lock.ts): created atomically, names its holder,
// refuses a live holder, takes over a stale one with a notice, and is removed
// only by the run that took it.

import { writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireApplyLock, LOCK_FILE_NAME, type LockHolder } from '../../src/apply/lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lockFile = () => path.join(dir, LOCK_FILE_NAME);
const exists = (file: string) => stat(file).then(() => true, () => false);
const NOW = Date.UTC(2026, 0, 1, 12);

async function plant(holder: Partial<LockHolder>): Promise<void> {
  const full = { pid: 4242, host: 'ci-runner-1', startedAt: new Date(NOW - 60_000).toISOString(), command: 'p7apps apply --auto-approve', token: 'theirs', ...holder };
  await writeFile(lockFile(), JSON.stringify(full));
}

describe('the apply lock', () => {
  it('is created with the holder named, and removed on release', async () => {
    const lock = await acquireApplyLock(dir, { command: 'p7apps apply', now: () => NOW, pid: 77, host: 'laptop' });
    const written = JSON.parse(await readFile(lockFile(), 'utf8')) as LockHolder;
    expect(written).toMatchObject({ pid: 77, host: 'laptop', startedAt: '2026-01-01T12:00:00.000Z', command: 'p7apps apply' });
    await lock.release();
    expect(await exists(lockFile())).toBe(false);
  });

  it('refuses while a live process holds it, naming the holder and what to do', async () => {
    await plant({ pid: process.pid, host: 'laptop' });
    const taking = acquireApplyLock(dir, { command: 'p7apps apply', now: () => NOW, host: 'laptop' });
    await expect(taking).rejects.toThrow(
      `another apply is running for this config: ${lockFile()} is held by process ${process.pid} on "laptop", started 2026-01-01T11:59:00.000Z ("p7apps apply --auto-approve")`,
    );
    await expect(taking).rejects.toMatchObject({ hint: expect.stringMatching(/Wait for it to finish.*delete the lock file/) });
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ token: 'theirs' });
  });

  it('refuses a young lock of another host, whose process cannot be checked', async () => {
    await plant({ host: 'ci-runner-1' });
    await expect(acquireApplyLock(dir, { command: 'p7apps apply', now: () => NOW, host: 'laptop', isRunning: () => false })).rejects.toThrow(/held by process 4242 on "ci-runner-1"/);
  });

  it.each([
    ['its process on this host is gone', { host: 'laptop' }, NOW, /process 4242 that took it on this host is no longer running/],
    ['it is older than the bound', { host: 'ci-runner-1' }, NOW + 7 * 3600_000, /it was taken 7h 01m ago, longer than any apply runs \(6h\)/],
  ])('takes over a stale lock when %s, with a notice', async (_why, holder, now, says) => {
    await plant(holder);
    const notices: string[] = [];
    const lock = await acquireApplyLock(dir, { command: 'p7apps apply', now: () => now, host: 'laptop', isRunning: () => false, notice: (t) => notices.push(t) });
    expect(notices).toEqual([expect.stringMatching(says)]);
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ host: 'laptop', token: lock.holder.token });
    await lock.release();
    expect(await exists(lockFile())).toBe(false);
  });

  it('judges an unreadable lock file by its age', async () => {
    await writeFile(lockFile(), 'not json');
    await expect(acquireApplyLock(dir, { command: 'p7apps apply' })).rejects.toThrow(/held by a run whose lock file cannot be read/);
    const old = new Date(Date.now() - 7 * 3600_000);
    await utimes(lockFile(), old, old);
    const lock = await acquireApplyLock(dir, { command: 'p7apps apply', notice: () => undefined });
    await lock.release();
  });

  it('of two runs taking it at once, exactly one gets it', async () => {
    const results = await Promise.allSettled([acquireApplyLock(dir, { command: 'first' }), acquireApplyLock(dir, { command: 'second' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    for (const r of results) if (r.status === 'fulfilled') await r.value.release();
  });

  it('of two runs taking over one stale lock, the slower does not remove the fresh lock of the faster', async () => {
    await plant({ pid: 4242, host: 'laptop' });
    const winner = { pid: 5151, host: 'laptop', startedAt: new Date(NOW).toISOString(), command: 'p7apps apply (the faster run)', token: 'winner' };
    let replaced = false;
    // The faster run takes over between the slower run's judgement "stale" and its removal.
    const isRunning = (pid: number) => {
      if (pid === 4242 && !replaced) {
        replaced = true;
        writeFileSync(lockFile(), JSON.stringify(winner));
        return false;
      }
      return pid === 5151;
    };
    const slower = acquireApplyLock(dir, { command: 'p7apps apply (the slower run)', now: () => NOW, host: 'laptop', isRunning, notice: () => undefined });
    await expect(slower).rejects.toThrow(/held by process 5151 on "laptop"/);
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ token: 'winner' });
    expect(await readdir(dir)).toEqual([LOCK_FILE_NAME]);
  });

  it('does not remove a lock another run has taken since', async () => {
    const lock = await acquireApplyLock(dir, { command: 'p7apps apply' });
    await plant({ token: 'someone else' });
    await lock.release();
    expect(await exists(lockFile())).toBe(true);
  });
});
