// A real headless Chromium for tests, driven over the Chrome DevTools
// Protocol on a WebSocket (undici's, already a dependency: Node 20 has no
// global WebSocket). Just enough of the protocol to load a page, watch its
// console and network, run expressions in it and take a screenshot.
//
// The browser is the binary P7APPS_CHROMIUM names, or Debian's
// `chromium-headless-shell` (.ci/run installs it) on the PATH or in /usr. A missing browser is an error that says
// how to install it, never a quiet skip.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'undici';

const DEFAULT_BINARIES = ['/usr/bin/chromium-headless-shell', '/usr/lib/chromium/chromium-headless-shell'];

/** The browser binary to run, or an error naming how to get one. */
export function chromiumBinary(env: NodeJS.ProcessEnv = process.env): string {
  const named = env.P7APPS_CHROMIUM;
  if (named !== undefined && named !== '') {
    if (!existsSync(named)) throw new Error(`P7APPS_CHROMIUM names ${named}, which does not exist`);
    return named;
  }
  const onPath = (env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '').map((dir) => path.join(dir, 'chromium-headless-shell'));
  const found = [...onPath, ...DEFAULT_BINARIES].find((file) => existsSync(file));
  if (found === undefined) {
    throw new Error(
      'The browser tests need Chromium: install it with "apt-get install chromium-headless-shell" (.ci/run does), or set P7APPS_CHROMIUM to a Chromium or Chrome binary.',
    );
  }
  return found;
}

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (err: Error) => void;
}

export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
}

/** One page of a running browser: commands go to it, its events are collected. */
export interface BrowserPage {
  send(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Every event the page has sent so far. */
  events: CdpEvent[];
  /** Resolves with the next event of that name the page sends (call it before what causes the event). */
  waitFor(method: string, timeoutMs?: number): Promise<CdpEvent>;
  /** The value of a JavaScript expression evaluated in the page (awaited if a promise). */
  evaluate<T>(expression: string): Promise<T>;
}

export interface Browser {
  open(): Promise<BrowserPage>;
  close(): Promise<void>;
}

export async function launchBrowser(options: { timeoutMs?: number } = {}): Promise<Browser> {
  const binary = chromiumBinary();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const profile = await mkdtemp(path.join(tmpdir(), 'p7apps-chromium-'));
  const child = spawn(
    binary,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-extensions',
      '--disable-sync',
      '--mute-audio',
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let socket: WebSocket;
  try {
    const url = await devtoolsUrl(child, timeoutMs);
    socket = await openSocket(url, timeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(profile, { recursive: true, force: true });
    throw err;
  }

  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, CdpEvent[]>();
  const waiters: Array<{ session: string; method: string; resolve: (e: CdpEvent) => void }> = [];
  socket.addEventListener('message', (message) => {
    const data = JSON.parse(String(message.data)) as { id?: number; sessionId?: string; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string } };
    if (data.id !== undefined) {
      const waiting = pending.get(data.id);
      pending.delete(data.id);
      if (data.error) waiting?.reject(new Error(`${data.error.message}`));
      else waiting?.resolve(data.result ?? {});
      return;
    }
    if (data.method === undefined) return;
    const event = { method: data.method, params: data.params ?? {} };
    const session = data.sessionId ?? '';
    listeners.get(session)?.push(event);
    for (const waiter of waiters.filter((w) => w.session === session && w.method === event.method)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  });

  // A browser that went away answers nothing more: fail what waits at once.
  socket.addEventListener('close', () => {
    for (const waiting of pending.values()) waiting.reject(new Error('The browser closed its DevTools connection'));
    pending.clear();
  });

  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`The browser did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

  return {
    async open() {
      const { targetId } = (await send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
      const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
      const events: CdpEvent[] = [];
      listeners.set(sessionId, events);
      const page: BrowserPage = {
        events,
        send: (method, params) => send(method, params, sessionId),
        waitFor: (method, waitMs = timeoutMs) =>
          new Promise<CdpEvent>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`The page sent no ${method} within ${waitMs} ms`)), waitMs);
            waiters.push({
              session: sessionId,
              method,
              resolve: (event) => {
                clearTimeout(timer);
                resolve(event);
              },
            });
          }),
        async evaluate<T>(expression: string): Promise<T> {
          const answer = (await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId)) as {
            result: { value?: T };
            exceptionDetails?: { text: string; exception?: { description?: string } };
          };
          if (answer.exceptionDetails) throw new Error(`In the page: ${answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text}`);
          return answer.result.value as T;
        },
      };
      return page;
    },
    async close() {
      // Browser.close may go unanswered (the browser exits first); the process is waited for below.
      const closing = send('Browser.close').catch(() => undefined);
      await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
      socket.close();
      await exited(child, 5_000);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The browser's DevTools WebSocket URL, from the line it prints on stderr. */
function devtoolsUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`Chromium printed no DevTools URL within ${timeoutMs} ms: ${text.slice(-500)}`)), timeoutMs);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      text += chunk;
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`Chromium could not be started: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (code ${code}) before it listened: ${text.slice(-500)}`));
    });
  });
}

function openSocket(url: string, timeoutMs: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error(`No WebSocket to ${url} within ${timeoutMs} ms`)), timeoutMs);
    socket.addEventListener('open', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.addEventListener('error', () => {
      clearTimeout(timer);
      reject(new Error(`The WebSocket to ${url} failed`));
    });
  });
}

/** Waits for the process to end; kills it if it does not end by itself in time. */
function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
