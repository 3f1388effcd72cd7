// Seed files: the world the emulator starts from (users, workspaces,
// workflows, already-published apps). This module owns the seed schema, its
// validation with errors that name the place in the file, and turning a seed
// into the plain WorldSeed the emulator's state is built from.

import { readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { P7appsError } from '../errors.js';
import { escapeUnsafe } from '../render/escape.js';
import { builtinSeedFile, builtinSeedNames } from './builtin-seeds.js';
import { describeImage, sha256Hex } from './images.js';
import { runSpecProblems, seedRunSchema, type RunSpec } from './runs.js';

export class SeedError extends P7appsError {}

const SEED_HINT = 'Fix the seed file; its schema is described in docs/emulator.md, "Seed files".';

/** What a token may be: it travels in an `Authorization: Token <token>` header. */
export const TOKEN_PATTERN = /^[\x21-\x7e]{1,200}$/;

const hexId = z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex digits, like "130d943e100e46e0b5da490ac005b70e"');
const nonEmpty = z.string().trim().min(1, 'must not be empty');
const fingerprint = z.string({ error: 'fingerprints are strings: quote them in YAML' }).trim().min(1, 'must not be empty');
const token = z.string().regex(TOKEN_PATTERN, 'must be 1 to 200 printable ASCII characters without spaces');

export const PUBLISHING_STATES = ['QUEUED_TO_INITIALIZE', 'INITIALIZING', 'READY', 'FAILED'] as const;
export type PublishingState = (typeof PUBLISHING_STATES)[number];

const seedUser = z.strictObject({
  username: nonEmpty,
  password: z.string().min(1, 'must not be empty'),
  tokens: z.array(token).default([]),
});

const seedWorkspace = z.strictObject({
  id: z.string({ error: 'workspace ids are strings: write "7", with quotes' }).trim().min(1, 'must not be empty'),
  name: nonEmpty,
  publishers: z.array(nonEmpty).default([]),
});

const seedWorkflow = z
  .strictObject({
    id: hexId.optional(),
    name: nonEmpty.optional(),
    path: z.string().regex(/^\/\S/, 'must be an absolute path in the pSeven storage, like "/Users/1/ToyWorkflow.p7wf"'),
    fingerprint: fingerprint.optional(),
    content: z.string().optional(),
    /** What its runs take and produce (docs/runs.md). */
    run: seedRunSchema.optional(),
  })
  .refine((w) => w.fingerprint === undefined || w.content === undefined, {
    message: 'give fingerprint or content, not both',
    path: ['fingerprint'],
  });

const seedVersion = z
  .strictObject({
    version: z.number().int().min(1),
    revision: z.number().int().min(0).default(0),
    workflow: z.string().min(1, 'must not be empty'),
    fingerprint: fingerprint.optional(),
    state: z.enum(PUBLISHING_STATES).default('READY'),
    stateDetail: z.string().optional(),
    stuck: z.boolean().default(false),
    updated: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((v) => v.stateDetail === undefined || v.state === 'FAILED', {
    message: 'stateDetail is only for state FAILED',
    path: ['stateDetail'],
  })
  .refine((v) => !v.stuck || v.state === 'QUEUED_TO_INITIALIZE', {
    message: 'only a version in state QUEUED_TO_INITIALIZE can be stuck',
    path: ['stuck'],
  });

const seedApp = z.strictObject({
  name: nonEmpty,
  id: hexId.optional(),
  workspace: z.string({ error: 'the workspace name or id, as a string' }).trim().min(1, 'must not be empty'),
  description: z.string().nullable().default(null),
  allowCopy: z.boolean().default(true),
  thumbnail: z.string().min(1).optional(),
  defaultVersion: z.number().int().min(1).optional(),
  versions: z.array(seedVersion).min(1, 'an app has at least one version'),
});

export const seedDocumentSchema = z.strictObject({
  $schema: z.string().optional(),
  users: z.array(seedUser).min(1, 'at least one user (the first is the default user)'),
  workspaces: z.array(seedWorkspace).default([]),
  workflows: z.array(seedWorkflow).default([]),
  apps: z.array(seedApp).default([]),
});

/** A seed as written in a file (before defaults are filled in). */
export type SeedDocument = z.input<typeof seedDocumentSchema>;

export interface SeedThumbnail {
  bytes: Uint8Array;
  mediaType: string;
  sha256: string;
}

/** An app's own settings, the same in a seed and in the running emulator. */
export interface AppSettings {
  id: string;
  name: string;
  workspaceId: string;
  description: string | null;
  allowCopy: boolean;
  thumbnail: SeedThumbnail | null;
  defaultVersion: number;
}

/** A checked seed with every default filled in: what the emulator's state is built from. */
export interface WorldSeed {
  users: { username: string; password: string; tokens: string[] }[];
  workspaces: { id: string; name: string; publishers: string[] }[];
  /** `run` only where the seed declares it: without one, runs take nothing and finish with no results. */
  workflows: { id: string; name: string; path: string; fingerprint: string; run?: RunSpec }[];
  apps: (AppSettings & {
    versions: {
      version: number;
      revision: number;
      workflowPath: string;
      fingerprint: string;
      state: PublishingState;
      stateDetail: string | null;
      stuck: boolean;
      updated: string | undefined;
    }[];
  })[];
}

/** `apps[2].versions[1].workflow`, the way people point into a file. */
export function formatSeedPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(top level)';
}

export function fingerprintOfContent(content: string): string {
  return sha256Hex(content);
}

/** Deterministic ids, so the same seed gives the same ids on every run. */
export function derivedId(kind: 'app' | 'workflow', key: string): string {
  return sha256Hex(`p7apps-emulator:${kind}:${key}`).slice(0, 32);
}

interface Problem {
  path: (string | number)[];
  message: string;
}

function seedError(source: string, problems: Problem[]): SeedError {
  // One line per problem: a line break in a value the message quotes is shown escaped, not as a line of its own.
  const lines = problems.map((p) => `  ${escapeUnsafe(`${formatSeedPath(p.path)}: ${p.message}`)}`);
  return new SeedError(`${escapeUnsafe(source)} is not valid:\n${lines.join('\n')}`, { hint: SEED_HINT, multiline: true });
}

function duplicates<T>(items: T[], key: (item: T) => string, path: (i: number) => (string | number)[], what: string): Problem[] {
  const seen = new Map<string, number>();
  const problems: Problem[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else problems.push({ path: path(i), message: `${what} "${k}" is already used at index ${first}` });
  });
  return problems;
}

/**
 * Check a parsed seed document and fill in its defaults. `source` names it in
 * errors ("seed file toy.yaml"); thumbnails are read relative to `baseDir`.
 */
export async function resolveSeed(document: unknown, options: { source: string; baseDir: string }): Promise<WorldSeed> {
  const parsed = seedDocumentSchema.safeParse(document);
  if (!parsed.success) {
    throw seedError(
      options.source,
      parsed.error.issues.map((issue) => ({ path: issue.path as (string | number)[], message: issue.message })),
    );
  }
  const doc = parsed.data;
  const problems: Problem[] = [];

  problems.push(...duplicates(doc.users, (u) => u.username, (i) => ['users', i, 'username'], 'username'));
  const tokens = doc.users.flatMap((u, i) => u.tokens.map((t, j) => ({ t, at: ['users', i, 'tokens', j] as (string | number)[] })));
  problems.push(...duplicates(tokens, (x) => x.t, (i) => tokens[i]!.at, 'token').map((p) => ({ ...p, message: 'this token is already given to a user' })));
  const usernames = new Set(doc.users.map((u) => u.username));

  problems.push(...duplicates(doc.workspaces, (w) => w.id, (i) => ['workspaces', i, 'id'], 'workspace id'));
  problems.push(...duplicates(doc.workspaces, (w) => w.name, (i) => ['workspaces', i, 'name'], 'workspace name'));
  doc.workspaces.forEach((w, i) =>
    w.publishers.forEach((p, j) => {
      if (!usernames.has(p)) problems.push({ path: ['workspaces', i, 'publishers', j], message: `no user has the username "${p}"` });
    }),
  );

  const workflows = doc.workflows.map((w) => ({
    id: w.id ?? derivedId('workflow', w.path),
    name: w.name ?? basename(w.path).replace(/\.p7wf$/, ''),
    path: w.path,
    fingerprint: w.fingerprint ?? fingerprintOfContent(w.content ?? w.path),
    ...(w.run !== undefined ? { run: w.run } : {}),
  }));
  doc.workflows.forEach((w, i) => {
    if (w.run !== undefined) problems.push(...runSpecProblems(w.run).map((p) => ({ path: ['workflows', i, 'run', ...p.path], message: p.message })));
  });
  problems.push(...duplicates(workflows, (w) => w.path, (i) => ['workflows', i, 'path'], 'workflow path'));
  // A derived id clashes exactly when the path does; say so only once.
  problems.push(...duplicates(workflows, (w) => w.id, (i) => ['workflows', i, 'id'], 'workflow id').filter((p) => doc.workflows[p.path[1] as number]!.id));
  const workflowByPath = new Map(workflows.map((w) => [w.path, w]));

  const apps: WorldSeed['apps'] = [];
  problems.push(...duplicates(doc.apps, (a) => a.name, (i) => ['apps', i, 'name'], 'app name'));
  const appIds = doc.apps.map((a) => a.id ?? derivedId('app', a.name));
  problems.push(...duplicates(appIds, (id) => id, (i) => ['apps', i, 'id'], 'app id').filter((p) => doc.apps[p.path[1] as number]!.id));

  for (const [i, app] of doc.apps.entries()) {
    const at = (...rest: (string | number)[]) => ['apps', i, ...rest];
    const workspace =
      doc.workspaces.find((w) => w.name === app.workspace) ?? doc.workspaces.find((w) => w.id === app.workspace);
    if (!workspace) problems.push({ path: at('workspace'), message: `no workspace has the name or id "${app.workspace}"` });

    const numbers = app.versions.map((v) => v.version);
    problems.push(...duplicates(numbers, (n) => String(n), (j) => at('versions', j, 'version'), 'version'));
    const highest = Math.max(...numbers);
    for (let n = 1; n <= highest; n++) {
      if (!numbers.includes(n)) {
        problems.push({ path: at('versions'), message: `version ${n} is missing: versions are numbered 1, 2, 3... without gaps` });
        break;
      }
    }
    const defaultVersion = app.defaultVersion ?? highest;
    if (!numbers.includes(defaultVersion)) {
      problems.push({ path: at('defaultVersion'), message: `the app has no version ${defaultVersion}` });
    }

    const versions: WorldSeed['apps'][number]['versions'] = [];
    app.versions.forEach((v, j) => {
      const workflow = workflowByPath.get(v.workflow);
      if (!workflow) {
        problems.push({ path: at('versions', j, 'workflow'), message: `no workflow has the path "${v.workflow}" (list it under workflows)` });
        return;
      }
      versions.push({
        version: v.version,
        revision: v.revision,
        workflowPath: v.workflow,
        fingerprint: v.fingerprint ?? workflow.fingerprint,
        state: v.state,
        stateDetail: v.state === 'FAILED' ? (v.stateDetail ?? 'Publishing failed.') : null,
        stuck: v.stuck,
        updated: v.updated,
      });
    });

    let thumbnail: SeedThumbnail | null = null;
    if (app.thumbnail !== undefined) {
      const file = resolve(options.baseDir, app.thumbnail);
      try {
        const bytes = new Uint8Array(await readFile(file));
        const image = describeImage(bytes);
        if (image) thumbnail = { bytes, mediaType: image.mediaType, sha256: image.sha256 };
        else problems.push({ path: at('thumbnail'), message: `${file} is not a PNG, JPEG, GIF, WebP or SVG image` });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        problems.push({ path: at('thumbnail'), message: code === 'ENOENT' ? `${file} does not exist` : `${file} cannot be read (${code ?? String(err)})` });
      }
    }

    apps.push({
      id: appIds[i]!,
      name: app.name,
      workspaceId: workspace?.id ?? '',
      description: app.description,
      allowCopy: app.allowCopy,
      thumbnail,
      defaultVersion,
      versions: versions.sort((a, b) => a.version - b.version),
    });
  }

  if (problems.length > 0) throw seedError(options.source, problems);
  return {
    users: doc.users.map((u) => ({ username: u.username, password: u.password, tokens: [...u.tokens] })),
    workspaces: doc.workspaces.map((w) => ({ id: w.id, name: w.name, publishers: [...w.publishers] })),
    workflows,
    apps,
  };
}

/** Read, parse and check a seed file (JSON, or YAML for any other extension). */
export async function loadSeedFile(file: string, cwd: string = process.cwd()): Promise<WorldSeed> {
  let path = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A bare name that is no file here: one of the seeds shipped with p7apps.
    const builtin = code === 'ENOENT' ? builtinSeedFile(file) : undefined;
    if (builtin === undefined) {
      const names = builtinSeedNames();
      throw new SeedError(code === 'ENOENT' ? `seed file ${path} does not exist` : `seed file ${path} cannot be read (${code ?? String(err)})`, {
        hint: `Check the --seed path; it is relative to the current directory.${names.length ? ` Built-in seeds: ${names.join(', ')}.` : ''}`,
      });
    }
    path = builtin;
    text = await readFile(path, 'utf8');
  }
  const source = `seed file ${path}`;
  let document: unknown;
  if (extname(path).toLowerCase() === '.json') {
    try {
      document = JSON.parse(text);
    } catch (err) {
      const message = (err as Error).message;
      const at = /at position (\d+)/.exec(message);
      let where = '';
      if (at) {
        const before = text.slice(0, Number(at[1])).split('\n');
        where = ` (line ${before.length}, column ${before[before.length - 1]!.length + 1})`;
      }
      throw new SeedError(`${source} is not valid JSON${where}: ${message}`, { hint: SEED_HINT });
    }
  } else {
    const parsed = YAML.parseDocument(text, { prettyErrors: true });
    const first = parsed.errors[0];
    if (first) {
      const where = first.linePos ? ` (line ${first.linePos[0].line}, column ${first.linePos[0].col})` : '';
      const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new SeedError(`${source} is not valid YAML${where}: ${message}`, { hint: SEED_HINT });
    }
    document = parsed.toJS();
  }
  return resolveSeed(document, { source, baseDir: resolve(path, '..') });
}
