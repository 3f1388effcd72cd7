// What every command loads before it runs: the bundle's entry and the chunks
// it imports statically (scripts/bundle.mjs). zod (with the config schema)
// and string-width's Unicode tables cost tens of milliseconds to evaluate;
// they are loaded when a config is validated or a width measured, never at
// start-up. Checked on the built bundle (npm test builds it first).

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const BUNDLE = new URL('../../dist/bundle/', import.meta.url);

/** The files the entry loads before its first line runs, each with its text. */
function staticClosure(entry: string): Map<string, string> {
  const found = new Map<string, string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (found.has(file)) continue;
    const text = readFileSync(new URL(file, BUNDLE), 'utf8');
    found.set(file, text);
    for (const match of text.matchAll(/^import(?:[^;]*?from)?\s*"\.\/([^"]+)";?$/gms)) pending.push(match[1]!);
  }
  return found;
}

describe('start-up of the bundled CLI', () => {
  const closure = staticClosure('p7apps.js');

  it('follows the entry\'s imports', () => {
    expect(closure.size).toBeGreaterThan(5);
  });

  it.each([
    ['zod', /^\/\/ node_modules\/zod\//m],
    ['the config schema', /^\/\/ dist\/config\/schema\.js$/m],
    ['the saved-plan reader', /^\/\/ dist\/plan\/document-read\.js$/m],
    ['the plan renderers (show loads the one it uses)', /^\/\/ dist\/render\/plan-(human|json|markdown|html)\.js$/m],
    ['the HTML page', /^\/\/ dist\/render\/html-page\.js$/m],
  ])('does not load %s at start-up', (_name, marker) => {
    expect([...closure].filter(([, text]) => marker.test(text)).map(([file]) => file)).toEqual([]);
  });

  // What plan and drift load once their command runs: the renderer of the format asked for, not all of them.
  it.each(['plan-run', 'drift-run'])('%s loads no renderer, HTML page or thumbnail gathering before its format asks for one', (command) => {
    const entry = readdirSync(BUNDLE).find((file) => file.startsWith(`${command}-`) && file.endsWith('.js'));
    expect(entry).toBeDefined();
    const loaded = staticClosure(entry!);
    const renderers = /^\/\/ dist\/(render\/(plan|drift)-(human|json|markdown|junit|html)|render\/html-page|report\/thumbnails)\.js$/m;
    expect(loaded.size).toBeGreaterThan(3);
    expect([...loaded].filter(([, text]) => renderers.test(text)).map(([file]) => file)).toEqual([]);
  });

  it('imports node:http and node:https as ES modules nowhere but in the emulator', () => {
    // Building node:http's ES module facade runs its WebSocket getters and loads Node's bundled undici on Node 22+.
    const files = readdirSync(BUNDLE).filter((file) => file.endsWith('.js'));
    const importing = files.filter((file) => {
      const text = readFileSync(new URL(file, BUNDLE), 'utf8');
      return /^import[^;]*from "node:https?";$/m.test(text) && !/^\/\/ dist\/emulator\//m.test(text);
    });
    expect(files.length).toBeGreaterThan(5);
    expect(importing).toEqual([]);
  });

  it('the config worker imports node:fs and node:fs/promises as ES modules nowhere before it starts esbuild', () => {
    // node:fs's facade reads fs.promises, loading Node's promise API with its readline and file streams: 3-8 ms of a fresh thread.
    const worker = staticClosure('sandbox-worker.js');
    expect(worker.size).toBeGreaterThan(3);
    expect([...worker].filter(([, text]) => /^import[^;]*from "node:fs(\/promises)?";$/m.test(text)).map(([file]) => file)).toEqual([]);
  });

  it('evaluates string-width only when a width is first measured', () => {
    const wrapped = [...closure.values()].some((text) => /var init_string_width\d* = __esm\(/.test(text));
    const eager = [...closure.values()].some((text) => /^\/\/ node_modules\/string-width\/index\.js\nvar segmenter/m.test(text));
    expect(wrapped).toBe(true);
    expect(eager).toBe(false);
  });
});
