// SharedAppList: the pre-publish checks of new apps share app-list reads, but
// each caller's answer must come from a read sent after it asked; a caller's
// abort stops only its own wait; a failed read fails its own batch only.

import { describe, expect, it } from 'vitest';
import { UNKNOWN, type AppRecord, type AppsHubApi } from '../../src/appshub/types.js';
import { SharedAppList } from '../../src/apply/pre-publish.js';

interface ListRead {
  /** The names the server would list at the moment the read was sent. */
  sentWith: string[];
  answer(): void;
  fail(err: Error): void;
  signal: AbortSignal | undefined;
}

/** A server whose app-list reads are answered by the test, each with the catalog as it stood when the read was sent. */
function scriptedServer() {
  const names: string[] = [];
  const reads: ListRead[] = [];
  const api = {
    listApps(signal?: AbortSignal): Promise<AppRecord[]> {
      const sentWith = [...names];
      return new Promise<AppRecord[]>((resolve, reject) => {
        reads.push({ sentWith, answer: () => resolve(sentWith.map(record)), fail: reject, signal });
      });
    },
  } as unknown as AppsHubApi;
  return { api, names, reads };
}

function record(name: string): AppRecord {
  return {
    id: `id-${name}`,
    name,
    workspace: UNKNOWN,
    description: UNKNOWN,
    allowCopy: UNKNOWN,
    thumbnailUrl: UNKNOWN,
    defaultVersion: UNKNOWN,
    current: UNKNOWN,
    versions: UNKNOWN,
  } as AppRecord;
}

const names = (apps: AppRecord[]) => apps.map((a) => a.name);
/** Lets queued microtasks run (the shared read is sent on one). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SharedAppList', () => {
  it.each([1, 2, 10])('%i callers that ask together share one read', async (callers) => {
    const server = scriptedServer();
    const list = new SharedAppList(server.api);
    server.names.push('a');
    const answers = Array.from({ length: callers }, () => list.read());
    await settle();
    expect(server.reads).toHaveLength(1);
    server.reads[0]!.answer();
    for (const answer of answers) expect(names(await answer)).toEqual(['a']);
  });

  it('never hands a caller a read that was already on the wire when it asked: it gets the next one, which sees what changed meanwhile', async () => {
    const server = scriptedServer();
    const list = new SharedAppList(server.api);
    const first = list.read();
    await settle();
    expect(server.reads).toHaveLength(1);
    // Another run creates "b" while the first read is out; two checks ask now.
    server.names.push('b');
    const second = list.read();
    const third = list.read();
    await settle();
    expect(server.reads).toHaveLength(1); // the next read waits for the one on the wire
    server.reads[0]!.answer();
    expect(names(await first)).toEqual([]);
    await settle();
    expect(server.reads).toHaveLength(2);
    expect(server.reads[1]!.sentWith).toEqual(['b']);
    server.reads[1]!.answer();
    expect(names(await second)).toEqual(['b']);
    expect(names(await third)).toEqual(['b']);
  });

  it('sends a new read for a caller that asks after the last one settled', async () => {
    const server = scriptedServer();
    const list = new SharedAppList(server.api);
    const first = list.read();
    await settle();
    server.reads[0]!.answer();
    await first;
    server.names.push('c');
    const later = list.read();
    await settle();
    expect(server.reads).toHaveLength(2);
    server.reads[1]!.answer();
    expect(names(await later)).toEqual(['c']);
  });

  it('fails only the batch whose read failed; the next batch reads again', async () => {
    const server = scriptedServer();
    const list = new SharedAppList(server.api);
    const first = list.read();
    await settle();
    const second = list.read();
    server.reads[0]!.fail(new Error('GET apps/: 503'));
    await expect(first).rejects.toThrow('503');
    await settle();
    expect(server.reads).toHaveLength(2);
    server.reads[1]!.answer();
    await expect(second).resolves.toEqual([]);
  });

  it("stops a caller's wait when its own signal aborts, and not the read the others share", async () => {
    const server = scriptedServer();
    const run = new AbortController();
    const list = new SharedAppList(server.api, run.signal);
    const mine = new AbortController();
    const stopped = list.read(mine.signal);
    const other = list.read();
    await settle();
    mine.abort(new Error('abandoned: timeout'));
    await expect(stopped).rejects.toThrow('abandoned: timeout');
    expect(server.reads[0]!.signal).toBe(run.signal);
    expect(server.reads[0]!.signal!.aborted).toBe(false);
    server.reads[0]!.answer();
    await expect(other).resolves.toEqual([]);
  });

  it('refuses at once a caller whose signal has already aborted, sending nothing for it', async () => {
    const server = scriptedServer();
    const list = new SharedAppList(server.api);
    const aborted = AbortSignal.abort(new Error('interrupted'));
    await expect(list.read(aborted)).rejects.toThrow('interrupted');
    await settle();
    expect(server.reads).toHaveLength(0);
  });
});
