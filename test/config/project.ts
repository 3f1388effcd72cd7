// Throwaway project directories for config tests: files, symbolic links and
// a `.git` folder (so the config search stops at the project's root), all
// removed after the test file.

import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { ConfigError, type ConfigIssue } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';

export type ProjectFile = string | Uint8Array | { symlink: string };

const created: string[] = [];

afterAll(async () => {
  for (const dir of created) {
    await chmodTree(dir, 0o755);
    await rm(dir, { recursive: true, force: true });
  }
});

async function chmodTree(dir: string, mode: number): Promise<void> {
  await chmod(dir, mode).catch(() => {});
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) await chmodTree(path.join(dir, entry.name), mode);
  }
}

/** A fresh directory holding `files` (paths relative to it); with `git`, a `.git` folder marks it as a repository root. */
export async function makeProject(files: Record<string, ProjectFile>, options: { git?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'p7apps-config-'));
  created.push(dir);
  if (options.git !== false) await mkdir(path.join(dir, '.git'));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    if (typeof content === 'object' && 'symlink' in content) await symlink(content.symlink, file);
    else await writeFile(file, content);
  }
  return dir;
}

/** Every file and directory below `dir`, relative, sorted: to show that loading wrote nothing. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

/** The ConfigError loading `cwd` (or `configPath`) fails with; fails the test if it loads. */
export async function configError(options: { cwd: string; configPath?: string; timeoutMs?: number }): Promise<ConfigError> {
  try {
    await loadConfig(options);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected a ConfigError loading ${options.configPath ?? options.cwd}`);
}

/** Issues as `path: message` lines, the form tests compare. */
export function issueLines(err: ConfigError): string[] {
  return err.issues.map((issue: ConfigIssue) => `${issue.path}: ${issue.message}`);
}

export const PNG_BYTES = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
