// Reads a YAML config in a thread of its own while the CLI loads (started
// by ./sandbox-start.ts when the CLI guesses a YAML config): loading the
// parser and parsing a catalog cold takes about as long as loading the CLI,
// so the two run side by side. Posts the text it read with what came of it
// (./yaml-read.ts), or nothing usable: the CLI then reads the file itself,
// as it does when no worker was started.

import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { YamlRead } from './yaml-read.js';

/** What the worker posts: the text it read and what came of it, or why the CLI must read the file itself. */
export type EarlyYaml = { kind: 'read'; text: string; read: YamlRead & { ok: true } } | { kind: 'declined' };

/**
 * Deeper than any config. A file the worker cannot read, or finds broken or nested deeper, the CLI's thread
 * reads itself: its messages (and where its smaller stack overflows) are the ones users know.
 */
const MAX_DEPTH = 64;

function depthWithin(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (limit === 0) return false;
  return Object.values(value).every((child) => depthWithin(child, limit - 1));
}

/** How deep `[` and `{` nest, roughly (brackets inside strings count too): a file nested deeper is not parsed here at all. */
function flowDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (const char of text) {
    if (char === '[' || char === '{') deepest = Math.max(deepest, ++depth);
    else if ((char === ']' || char === '}') && depth > 0) depth -= 1;
  }
  return deepest;
}

async function readEarly(file: string): Promise<EarlyYaml> {
  const text = await readFile(file, 'utf8');
  if (flowDepth(text) > MAX_DEPTH) return { kind: 'declined' };
  const { readYaml } = await import('./yaml-read.js');
  const read = readYaml(text);
  return read.ok && depthWithin(read.value, MAX_DEPTH) ? { kind: 'read', text, read } : { kind: 'declined' };
}

const data = workerData as { yamlFile?: unknown } | null;
if (parentPort !== null && typeof data?.yamlFile === 'string') {
  const port = parentPort;
  void readEarly(data.yamlFile)
    .catch((): EarlyYaml => ({ kind: 'declined' }))
    .then((answer) => {
      try {
        port.postMessage(answer);
      } catch {
        port.postMessage({ kind: 'declined' } satisfies EarlyYaml);
      }
    });
}
