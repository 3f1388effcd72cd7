// The README's demo, run as a newcomer runs it: the built CLI against the
// bundled emulator, every step's exit code checked by the script itself.
// Needs dist/ (npm test builds it first).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');

describe('npm run demo', () => {
  it(
    'plans, keeps a version that fails its check from being default, promotes the fixed one, checks, detects drift and converges again against the emulator',
    async () => {
      if (!existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run "npm run build" first (npm test does)');
      const { stdout, stderr } = await run(process.execPath, [path.join(root, 'scripts', 'demo.mjs')], {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1', P7APPS_DEMO_READY_AFTER_MS: '100', P7APPS_TOKEN: '', P7APPS_URL: '' },
        timeout: 150_000,
      });
      expect(stderr).toBe('');
      expect(stdout).toContain('Plan: 1 app to create, 1 to update');
      // The broken beam version is published but never made default; the fixed one is promoted; the nightly check passes.
      expect(stdout).toContain('v2 did not pass "cantilever": it stays published but is not made default; v1 stays default.');
      expect(stdout).toContain('v2 passed its checks; making it default');
      expect(stdout).toContain('Checked 1 app: 1 passed, 0 failed.');
      expect(stdout).toMatch(/Converged: \d+ apps? verified\./);
      expect(stdout).not.toContain('cannot be verified');
      expect(stdout).toContain('Drift detected: 0 in sync, 2 drifted');
      expect(stdout).toContain('No drift: 2 in sync');
      expect(stdout).toMatch(/Demo done in \d+\.\d+s/);
    },
    160_000,
  );
});
