// The one definition of what a config file may say. Validation, the
// TypeScript input types of defineConfig and the shipped JSON Schema are all
// derived from these zod schemas, so they cannot disagree.
//
// Every constraint carries its own message; type and shape problems (wrong
// type, missing or unknown key) are phrased by ./validate.ts, which knows the
// surrounding config.

import { z } from 'zod';
import {
  MAX_APP_NAME_LENGTH,
  MAX_APPS,
  MAX_DESCRIPTION_LENGTH,
  MAX_FILE_PATH_LENGTH,
  MAX_THUMBNAIL_BYTES,
  MAX_URL_LENGTH,
  MAX_VERSION_NUMBER,
  MAX_VERSIONS_PER_APP,
  MAX_WORKFLOW_PATH_LENGTH,
  MAX_WORKSPACE_ID_LENGTH,
  MAX_WORKSPACE_NAME_LENGTH,
} from './limits.js';
import { CHECK_KEYS, checksSchema } from './check-schema.js';
import { closestKey } from './issue-path.js';
import { ENVIRONMENT_NAME } from './environment-name.js';

export * from './limits.js';

const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;
const NO_CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;
const NO_OUTER_WHITESPACE = /^(?!\s)[\s\S]*(?<!\s)$/;

/**
 * Text-direction overrides and invisible characters: a name holding them
 * reads in a plan under review as another name ("Trojan Source"), or two apps
 * look the same.
 */
const NO_DECEPTIVE_CHARACTERS = /^[^\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*$/;

function label(what: string, max: number, description: string) {
  return z
    .string()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} is too long (at most ${max} characters)`)
    .regex(NO_CONTROL_CHARACTERS, `${what} must not contain control characters (tabs, line breaks and the like)`)
    .regex(NO_DECEPTIVE_CHARACTERS, `${what} must not contain invisible or text-direction characters (such as U+200B or U+202E): they make it read as another name`)
    .regex(NO_OUTER_WHITESPACE, `${what} must not start or end with whitespace`)
    .describe(description);
}

function localFile(description: string) {
  return z
    .string()
    .min(1, 'the file path must not be empty')
    .max(MAX_FILE_PATH_LENGTH, `the file path is too long (at most ${MAX_FILE_PATH_LENGTH} characters)`)
    .regex(NO_CONTROL_CHARACTERS, 'the file path must not contain control characters')
    .describe(description);
}

export const workspaceObjectSchema = z
  .strictObject({
    name: label('a workspace name', MAX_WORKSPACE_NAME_LENGTH, 'The workspace name, as AppsHub and Studio show it.').optional(),
    id: z
      .string()
      .min(1, 'a workspace id must not be empty')
      .max(MAX_WORKSPACE_ID_LENGTH, `a workspace id is too long (at most ${MAX_WORKSPACE_ID_LENGTH} characters)`)
      .regex(/^\S+$/, 'a workspace id must not contain whitespace or control characters')
      .describe('The workspace id, a string such as "7" (from the admin page link .../workspace/7/change/).')
      .optional(),
  })
  .describe('The workspace by name, by id, or both (they must then match on the server).');

export const workspaceSchema = z
  .union([label('a workspace name', MAX_WORKSPACE_NAME_LENGTH, 'The workspace name.'), workspaceObjectSchema])
  .describe('The workspace that hosts the app: its name ("Toy apps") or { name, id } with the id as a string ("7").');

const allowCopySchema = z
  .boolean()
  .describe('Whether AppsHub users may copy the app\'s workflow to their own storage (allow_get_as_workflow).');

const thumbnailSchema = localFile(
  `A PNG, JPEG, GIF, WebP or SVG image of at most ${MAX_THUMBNAIL_BYTES / 1024 / 1024} MiB, relative to the config file and inside its directory.`,
);

/** How plan and drift treat a declared workflow edited in Studio since its version was published. */
export const WORKFLOW_CHANGE_POLICIES = ['republish', 'report', 'ignore'] as const;

const workflowChangeSchema = z
  .enum(WORKFLOW_CHANGE_POLICIES, { error: (issue) => workflowChangeMessage(issue.input) })
  .describe(
    'When a declared workflow was edited in Studio since its version was published: "republish" (the default) publishes a new revision; ' +
      '"report" leaves it and plan and drift report it; "ignore" leaves it unreported. The most specific setting wins: version, then app, then defaults.',
  );

function workflowChangeMessage(input: unknown): string {
  const expected = 'expected "republish", "report" or "ignore"';
  if (typeof input !== 'string') return `${expected} (a string), got ${input === null ? 'null' : Array.isArray(input) ? 'a list' : typeof input === 'object' ? 'an object' : `a ${typeof input}`}`;
  const suggestion = closestKey(input.toLowerCase(), WORKFLOW_CHANGE_POLICIES);
  // The value is the user's own text, but a pasted one can be long: cut it.
  const got = `got ${JSON.stringify([...input].slice(0, 40).join(''))}`;
  return suggestion === undefined ? `${expected}, ${got}` : `${expected}, ${got}; did you mean "${suggestion}"?`;
}

/** zod refuses whole numbers past 2^53 as "not an integer": 1e20 is whole, so its message is the bound. */
function wholeNumberMessage(what: string, input: unknown): string {
  return Number.isInteger(input) ? `${what} must be at most ${MAX_VERSION_NUMBER}` : `${what} must be a positive whole number`;
}

export const versionSchema = z
  .strictObject({
    version: z
      .number()
      .int({ error: (issue) => wholeNumberMessage('a version number', issue.input) })
      .min(1, 'a version number must be a positive whole number')
      .max(MAX_VERSION_NUMBER, `a version number must be at most ${MAX_VERSION_NUMBER}`)
      .describe('The version number (1, 2, ...).'),
    workflow: z
      .string()
      .max(MAX_WORKFLOW_PATH_LENGTH, `the workflow path is too long (at most ${MAX_WORKFLOW_PATH_LENGTH} characters)`)
      .regex(/^\//, 'expected an absolute workflow path like /Users/1/Flow.p7wf')
      .regex(NO_CONTROL_CHARACTERS, 'the workflow path must not contain control characters')
      .regex(/^(?!.*\/\.{0,2}(\/|$))/, 'the workflow path must not contain empty, "." or ".." segments')
      .regex(/\.p7wf$/, 'expected a workflow path ending in .p7wf, like /Users/1/Flow.p7wf')
      .describe('Absolute path of the workflow in pSeven Enterprise storage, e.g. /Users/1/Flow.p7wf.'),
    checks: checksSchema.describe("This version's checks, in place of the app's.").optional(),
    onWorkflowChange: workflowChangeSchema.optional(),
  })
  .describe('One version of the app and the workflow it is published from.');

export const appSchema = z
  .strictObject({
    name: label('an app name', MAX_APP_NAME_LENGTH, 'The app name, unique on the server; publishing under an existing name updates that app.'),
    workspace: workspaceSchema.optional(),
    description: z
      .string()
      .max(MAX_DESCRIPTION_LENGTH, `the description is too long (at most ${MAX_DESCRIPTION_LENGTH} characters)`)
      .regex(NO_CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS, 'the description must not contain control characters other than tabs and line breaks')
      .describe('The brief description shown in the AppsHub app list. Left out: not managed.')
      .optional(),
    descriptionFile: localFile('A UTF-8 text file (such as APP.md) holding the description, relative to the config file.').optional(),
    thumbnail: thumbnailSchema.optional(),
    allowCopy: allowCopySchema.optional(),
    versions: z
      .array(versionSchema)
      .min(1, 'declare at least one version: an app exists only by publishing a workflow')
      .max(MAX_VERSIONS_PER_APP, `too many versions (at most ${MAX_VERSIONS_PER_APP})`)
      .describe('The versions to manage; versions published by other means may exist besides them.'),
    defaultVersion: z
      .number()
      .int({ error: (issue) => wholeNumberMessage('the default version', issue.input) })
      .min(1, 'the default version must be a positive whole number')
      .max(MAX_VERSION_NUMBER, `the default version must be at most ${MAX_VERSION_NUMBER}`)
      .describe('Which declared version is the default. Left out: the default is not managed.')
      .optional(),
    protect: z
      .boolean()
      .describe(
        'Never change what the app offers (a new revision of a version, another default version, its description, thumbnail or copy permission) unless apply is given --allow-protected with its name. Adding a version that does not become the default is allowed.',
      )
      .optional(),
    checks: checksSchema.optional(),
    onWorkflowChange: workflowChangeSchema.optional(),
  })
  .describe('One AppsHub app.');

export const defaultsSchema = z
  .strictObject({
    workspace: workspaceSchema.optional(),
    allowCopy: allowCopySchema.optional(),
    thumbnail: thumbnailSchema.optional(),
    onWorkflowChange: workflowChangeSchema.optional(),
  })
  .describe('Settings every app inherits unless it sets its own.');

export const serverSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'expected an http or https URL like https://pseven.example.com' })
      .max(MAX_URL_LENGTH, `the URL is too long (at most ${MAX_URL_LENGTH} characters)`)
      .describe('The pSeven Enterprise sign-in URL. P7APPS_URL and --server override it. Credentials never go here: use P7APPS_TOKEN.'),
  })
  .describe('Where the AppsHub server is.');

export const safetySchema = z
  .strictObject({
    maxRepublishPercent: z
      .number()
      .min(0, 'maxRepublishPercent must be a percentage from 0 to 100')
      .max(100, 'maxRepublishPercent must be a percentage from 0 to 100 (100 turns the guard off)')
      .describe('apply needs --force when a plan republishes more than this percentage of the existing apps it covers, and more than maxRepublishApps of them. Default 30.')
      .optional(),
    maxRepublishApps: z
      .number()
      .int('maxRepublishApps must be a whole number of apps')
      .min(0, 'maxRepublishApps must be 0 or more')
      .max(MAX_APPS, `maxRepublishApps must be at most ${MAX_APPS}`)
      .describe('Republishing at most this many existing apps never needs --force. Default 5.')
      .optional(),
  })
  .describe('The large-change guard: when a plan republishes (a new revision of an existing version) so many existing apps that apply needs --force.');

export const configSchema = z
  .strictObject({
    $schema: z.string().max(MAX_URL_LENGTH, 'the $schema reference is too long').describe('The JSON Schema of this file, for editor completion.').optional(),
    server: serverSchema.optional(),
    strict: z
      .boolean()
      .describe('Treat managed fields the server does not show (so p7apps cannot verify them) as an error in plan, apply and drift, as --strict does.')
      .optional(),
    defaults: defaultsSchema.optional(),
    safety: safetySchema.optional(),
    apps: z
      .array(appSchema)
      .max(MAX_APPS, `too many apps (at most ${MAX_APPS})`)
      .describe('The apps to manage. Apps on the server that are not listed here are left alone.'),
  })
  .meta({
    title: 'p7apps config',
    description: 'The desired state of pSeven Enterprise AppsHub apps, reconciled by p7apps.',
  });


/**
 * One environment: the config's own keys, each optional, merged onto the
 * config (see ./environments.ts), except that `apps` is keyed by app name.
 * Derived from the config's schema, so every key the config gains can be
 * overridden per environment too. Validation checks the merged result; this
 * schema gives editors and defineConfig the shape.
 */
const environmentSchema = configSchema
  .omit({ $schema: true, apps: true })
  .partial()
  .extend({
    apps: z
      .record(
        z.string(),
        appSchema
          .omit({ name: true })
          .partial()
          .extend({
            versions: z
              .array(versionSchema.partial().required({ version: true }))
              .describe('Versions merged by number onto the app\'s versions: a number the app declares is adjusted, another is added.')
              .optional(),
          })
          .describe('Overrides for the app of this name; an app the config does not declare is added when its versions are given.'),
      )
      .describe('Overrides per app, keyed by the app\'s name.')
      .optional(),
  })
  .describe('Overrides for one environment: objects merge key by key, apps by name, versions by number; any other value replaces the config\'s.');

/** The whole file: the config plus its environments (chosen with --env or P7APPS_ENV). */
export const configFileSchema = configSchema
  .extend({
    environments: z
      .record(z.string().regex(ENVIRONMENT_NAME), environmentSchema)
      .describe('Named environments (staging, production, ...), each with its own server and overrides. When declared, every command that reads the config needs --env NAME or P7APPS_ENV.')
      .optional(),
  })
  .meta({
    title: 'p7apps config',
    description: 'The desired state of pSeven Enterprise AppsHub apps, reconciled by p7apps.',
  });

/** The allowed keys of each kind of object in a config, for did-you-mean suggestions. */
export const KEYS = {
  root: Object.keys(configFileSchema.shape),
  server: Object.keys(serverSchema.shape),
  defaults: Object.keys(defaultsSchema.shape),
  app: Object.keys(appSchema.shape),
  version: Object.keys(versionSchema.shape),
  workspace: Object.keys(workspaceObjectSchema.shape),
  safety: Object.keys(safetySchema.shape),
  check: CHECK_KEYS,
} as const;

export type ParsedConfig = z.output<typeof configSchema>;
export type ParsedApp = z.output<typeof appSchema>;
export type ParsedWorkspace = z.output<typeof workspaceSchema>;
