// The tests and the benchmark type-check with the sources (tsconfig.test.json):
// a test written against an old signature or a misspelt field would otherwise
// run on, passing or failing for the wrong reason, since vitest only strips
// types. `npm run typecheck` runs the same check by hand.

import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

describe('types', () => {
  it('the sources, tests and benchmark type-check (tsconfig.test.json)', async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(process.execPath, [TSC, '-p', 'tsconfig.test.json', '--pretty', 'false'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
      });
    });
    // The errors themselves, not only a count, when there are any.
    expect(output.split('\n').filter((line) => line.includes('error TS')).slice(0, 20)).toEqual([]);
    expect(code).toBe(0);
  }, 180_000);
});
