// The plan comment's pure parts: the hidden marker (written, read back, never
// trusted when malformed), the cut to a forge's size limit, the failure
// comment, and the zip reader the merge run takes the saved plan out with.

import { describe, expect, it } from 'vitest';
import { cutMarkdown, failureComment, markerLine, parseMarker, planComment, type PlanMarker } from '../../src/ci/comment.js';
import { withApplyResult } from '../../src/ci/flows.js';
import { readZipEntry, ZipError } from '../../src/ci/zip.js';
import { zipOf } from './harness.js';

const HEAD = 'abcdef0123456789'.repeat(2) + 'abcdef01';
const DIGEST = `sha256:${'0f'.repeat(32)}`;
const full: PlanMarker = { head: HEAD, run: '901', artifact: '4242', digest: DIGEST };

describe('the marker', () => {
  it.each<[string, PlanMarker]>([
    ['a saved plan', full],
    ['a failed plan (no artifact, no digest)', { head: HEAD, run: '901' }],
  ])('reads back what was written: %s', (_name, marker) => {
    const line = markerLine(marker);
    expect(line).toMatch(/^<!-- p7apps-plan \{.*\} -->$/);
    expect(parseMarker(`${line}\n## p7apps plan\n`)).toEqual(marker);
    // As GitHub returns a comment someone edited in the browser.
    expect(parseMarker(`${line}\r\n## p7apps plan\r\n`)).toEqual(marker);
    expect(parseMarker(line)).toEqual(marker);
  });

  it.each<[string, PlanMarker]>([
    ['a head that is not a sha', { ...full, head: 'main --> <b>' }],
    ['a run that is not a number', { ...full, run: '1 -->' }],
    ['an artifact without a digest', { head: HEAD, run: '1', artifact: '2' }],
    ['a digest that is not sha256 hex', { ...full, digest: 'sha256:xyz' }],
  ])('refuses to write %s', (_name, marker) => {
    expect(() => markerLine(marker)).toThrow(/bad plan marker/);
  });

  it.each([
    ['no marker', '## p7apps plan'],
    ['a marker on a later line', `## p7apps plan failed\n<!-- p7apps-plan {"v":1,"head":"${HEAD}","run":"1"} -->`],
    ['a marker in running text', `see <!-- p7apps-plan {"v":1,"head":"${HEAD}","run":"1"} --> here`],
    ['another version', `<!-- p7apps-plan {"v":2,"head":"${HEAD}","run":"1"} -->`],
    ['broken JSON', '<!-- p7apps-plan {"v":1,"head": -->'],
    ['a forged digest', `<!-- p7apps-plan {"v":1,"head":"${HEAD}","run":"1","artifact":"2","digest":"md5:00"} -->`],
    ['an artifact that is a path', `<!-- p7apps-plan {"v":1,"head":"${HEAD}","run":"1","artifact":"../x","digest":"${DIGEST}"} -->`],
  ])('finds none in a body with %s', (_name, body) => {
    expect(parseMarker(body)).toBeNull();
  });
});

describe('the cut to the size limit', () => {
  const url = 'https://github.test/acme/apps/actions/runs/1/artifacts/2';
  const at = `The full plan is in the [plan artifact](${url}).`;
  const details = (i: number) => [`<details><summary>App ${i}</summary>`, '', '  ```diff', ...Array.from({ length: 20 }, (_, j) => `  +line ${j} of ${i}`), '  ```', '', '</details>'];
  const long = ['## p7apps plan', '', '**Plan: 200 to create.**', '', ...Array.from({ length: 200 }, (_, i) => details(i)).flat()].join('\n');

  it('leaves a plan that fits as it is', () => {
    expect(cutMarkdown('## p7apps plan\n\nNo changes.', 1000, at)).toBe('## p7apps plan\n\nNo changes.');
  });

  it.each([2_000, 5_000, 20_000, 65_536 - 500])('fits %i characters, closes what it cut open, and links the artifact', (room) => {
    const cut = cutMarkdown(long, room, at);
    expect(cut.length).toBeLessThanOrEqual(room);
    expect(cut.startsWith('## p7apps plan\n\n**Plan: 200 to create.**')).toBe(true);
    expect(cut).toContain(`[plan artifact](${url})`);
    expect(cut).toMatch(new RegExp(`only its first \\d+ of ${long.length} characters are shown`));
    expect((cut.match(/<details>/g) ?? []).length).toBe((cut.match(/<\/details>/g) ?? []).length);
    // Fences pair up: the notice is never swallowed by a code block left open.
    expect((cut.match(/^\s*```/gm) ?? []).length % 2).toBe(0);
  });

  it('keeps a whole plan comment within the limit, marker first', () => {
    const body = planComment({ marker: full, markdown: long, artifactUrl: url, runUrl: 'https://github.test/acme/apps/actions/runs/1', limit: 10_000, mergeNote: 'Merging applies it.' });
    expect(body.length).toBeLessThanOrEqual(10_000);
    expect(parseMarker(body)).toEqual(full);
    expect(body).toMatch(/Merging applies it\.<\/sub>$/);
  });

  it('cuts a failure output that is too long and fences it against its own backticks', () => {
    const output = Array.from({ length: 5_000 }, (_, i) => `line ${i} \`\`\`\` <b>x</b> \u001b[31m`).join('\n');
    const body = failureComment({ marker: { head: HEAD, run: '1' }, step: 'plan', exitCode: 1, output, runUrl: 'https://github.test/r', limit: 8_000 });
    expect(body.length).toBeLessThanOrEqual(8_000);
    expect(body).toContain("... (output cut; the run's log has all of it)");
    expect(body).toContain('`````text\n');
    expect(body).not.toContain('\u001b');
    expect(body).toContain('\\x1b[31m');
  });
});

describe('the note of the merge run', () => {
  it.each([
    [0, 'applied it.'],
    [1, 'stopped with exit code 1; see its log.'],
  ])('says how apply ended (exit %i), replacing an earlier note', (code, words) => {
    const once = withApplyResult('plan body', 2, 'https://github.test/run/1');
    const twice = withApplyResult(once, code, 'https://github.test/run/2');
    expect(twice).toBe(`plan body\n\n<!-- p7apps-applied -->\n**After merge**: [the merge run](https://github.test/run/2) ${words}`);
  });
});

describe('the zip reader', () => {
  const plan = Buffer.from('{"kind":"p7apps-plan"}');
  const zip = zipOf({ 'plan.md': Buffer.from('# plan'), 'plan.json': plan });

  it('reads a deflated entry by name', () => {
    expect(readZipEntry(zip, 'plan.json', 1024)).toEqual(plan);
    expect(readZipEntry(zip, 'other.json', 1024)).toBeNull();
  });

  it.each<[string, Buffer, number, RegExp]>([
    ['not a zip', Buffer.from('<html>not found</html>'.padEnd(64, ' ')), 1024, /not a zip archive/],
    ['an entry over the size limit', zip, 4, /larger than 4 bytes/],
    ['a damaged entry', Buffer.concat([zip.subarray(0, 30), Buffer.from('garbage!'), zip.subarray(38)]), 1024, /cannot be inflated|checksum|damaged/],
  ])('refuses %s', (_name, bytes, max, message) => {
    let error: unknown;
    try {
      readZipEntry(bytes, 'plan.md', max);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ZipError);
    expect((error as Error).message).toMatch(message);
  });
});
