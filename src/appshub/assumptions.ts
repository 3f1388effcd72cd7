// The wire assumptions as data: every choice the vendor's guide leaves open
// that p7apps makes (the `ASSUMPTION Ax:` comments in ./wire.ts), each with a
// one-line meaning, what p7apps cannot verify on a server where it does not
// hold, and a check over the raw JSON a read-only probe collected. `p7apps
// doctor` and the documentation share this one registry; ./wire.ts stays the
// module that maps JSON to types.
//
// The checks are pure: they look at JSON already read and never ask the
// server. What only a publish would show (how a publish must be encoded, the
// answer while a version initialises) is reported as such, never guessed.

import { describeValue, versionStateKind } from './wire.js';
import { RUN_STATES } from '../runs/types.js';

/** What p7apps verifies or does, and which assumptions it rests on. */
export type Capability =
  | 'description'
  | 'copy-permission'
  | 'thumbnail'
  | 'versions'
  | 'workflow'
  | 'workflow-content'
  | 'workspace'
  | 'publishing-state'
  | 'publish'
  | 'runs'
  | 'version-runs';

/** In the order reports list them. */
export const CAPABILITIES: ReadonlyArray<{ name: Capability; meaning: string }> = [
  { name: 'description', meaning: "an app's description" },
  { name: 'copy-permission', meaning: "an app's copy permission (allow_get_as_workflow)" },
  { name: 'thumbnail', meaning: "an app's thumbnail, by content" },
  { name: 'versions', meaning: "an app's versions and which one is the default" },
  { name: 'workflow', meaning: 'which workflow a version was published from' },
  { name: 'workflow-content', meaning: 'whether a workflow was edited since its version was published' },
  { name: 'workspace', meaning: "an app's workspace" },
  { name: 'publishing-state', meaning: 'whether a published version became READY or FAILED' },
  { name: 'publish', meaning: 'publishing (apply)' },
  { name: 'runs', meaning: "running an app's checks (deploy, parameters, start, results, delete)" },
  { name: 'version-runs', meaning: 'checking a new version before it becomes default (running a given version)' },
];

/**
 * The raw JSON a read-only probe of a server collected, every string already
 * scrubbed of credentials. A field left undefined was not read.
 */
export interface WireEvidence {
  /** The entries of every page of `GET apps/`. */
  appList?: unknown[];
  /** The entries of every page of `GET workflows/`. */
  workflowList?: unknown[];
  /** How each list came: a bare array, or a Django REST framework page, and how many pages. */
  appListShape?: { shape: 'array' | 'page'; pages: number };
  workflowListShape?: { shape: 'array' | 'page'; pages: number };
  /** `GET apps/{id}/` of one app of the list. */
  appDetail?: unknown;
  /** `GET apps/{id}@{v}/` of one version of that app. */
  versionDetail?: unknown;
  /** Why p7apps cannot read the entries of workflows/ (p7apps then goes on without them). */
  workflowListProblem?: string;
  /** Reading one app's thumbnail with the token; undefined when none was tried. */
  thumbnailRead?: { ok: true } | { ok: false; problem: string };
  /** `GET apps/{id}/runs/` of that app: its entries (first page), or why it was refused. */
  appRuns?: { ok: true; runs: unknown[] } | { ok: false; status?: number; problem: string };
  /** `GET apps/{id}@{v}/runs/` of that version: answered, or why it was refused. */
  versionRuns?: { ok: true; path: string } | { ok: false; status?: number; path: string; problem: string };
}

export type AssumptionStatus =
  /** What the server sent is what p7apps expects. */
  | 'holds'
  /** The server sent something else; `detail` says what. */
  | 'differs'
  /** Nothing the probe read shows it (an empty server, a list not read). */
  | 'not-seen'
  /** Only a publish would show it, and the probe never publishes. */
  | 'needs-publish'
  /** Only deploying a run would show it, and the probe never deploys one. */
  | 'needs-run';

export interface AssumptionVerdict {
  status: AssumptionStatus;
  /** How it differs, why it was not seen, or what was seen: one line, server values JSON-quoted. */
  detail?: string;
  /**
   * For a difference p7apps reads anyway: the rules for servers that differ
   * (A15-A19, A23) that read it, so nothing it rests on is lost.
   */
  handledBy?: AssumptionId[];
  /** Where a difference takes away only some of what the assumption affects: those. */
  loses?: Capability[];
}

export type AssumptionId = `A${number}`;

export interface Assumption {
  id: AssumptionId;
  /** A few words: `description`. */
  title: string;
  /** What p7apps assumes, in one line. */
  meaning: string;
  /** What p7apps cannot verify (or do) on a server where this does not hold; none for the rules for servers that differ. */
  affects: Capability[];
  check: (evidence: WireEvidence) => AssumptionVerdict;
}

type WireObject = Record<string, unknown>;

function isObject(value: unknown): value is WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A server value, briefly and on one line: JSON-quoted, so control characters are escaped. */
const shown = describeValue;

function isAbsoluteUrl(value: unknown): boolean {
  return typeof value === 'string' && /^https?:\/\//i.test(value) && URL.canParse(value);
}

function looksLikeUrl(value: unknown): boolean {
  return typeof value === 'string' && (/^https?:\/\//i.test(value) || value.startsWith('/'));
}

/** A reference relative to the server (`/appshub/media/t.png`), which p7apps reads against it (A15). */
function isRelativeUrl(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !/[\s\\]/.test(value);
}

const isWholeFrom1 = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const isDecimalString = (v: unknown): boolean => typeof v === 'string' && /^\d{1,10}$/.test(v) && Number(v) >= 1;

const NO_APPS = 'no apps on this server to look at';
const NOT_READ = 'apps/ was not read';

/**
 * The app records the probe holds: the list's entries and the one app's
 * details. Where the entries are short, p7apps completes them per app
 * (A19), so the details speak for them.
 */
function appRecords(e: WireEvidence): WireObject[] {
  const records = (e.appList ?? []).filter(isObject);
  if (!isObject(e.appDetail)) return records;
  if (shortEntryFields(e).length > 0) return [e.appDetail];
  return [...records, e.appDetail];
}

function noApps(e: WireEvidence): AssumptionVerdict {
  return { status: 'not-seen', detail: e.appList === undefined ? NOT_READ : NO_APPS };
}

/**
 * A field every app record should carry in one shape: differs when some
 * record lacks it or has it in another shape, naming the first such value.
 */
function appField(
  e: WireEvidence,
  key: string,
  what: string,
  test: (value: unknown) => boolean,
  otherwise: (value: unknown) => string,
): AssumptionVerdict {
  const records = appRecords(e);
  if (records.length === 0) return noApps(e);
  const missing = records.filter((r) => r[key] === undefined).length;
  if (missing === records.length) return { status: 'differs', detail: `${what} is not reported (no \`${key}\` field)` };
  const wrong = records.find((r) => r[key] !== undefined && !test(r[key]));
  if (wrong) return { status: 'differs', detail: otherwise(wrong[key]) };
  if (missing > 0) return { status: 'differs', detail: `${what} is missing from ${missing} of ${records.length} app records` };
  return { status: 'holds' };
}

/** Field names, quoted, the first few of a long list. */
export function fieldList(keys: string[], most = 4): string {
  const shownKeys = keys.slice(0, most).map((k) => JSON.stringify(k));
  return keys.length > most ? `${shownKeys.join(', ')} and ${keys.length - most} more` : shownKeys.join(', ');
}

function versionEntries(e: WireEvidence): unknown[] {
  return appRecords(e).flatMap((r) => (Array.isArray(r.versions) ? r.versions : []));
}

function checkThumbnail(e: WireEvidence): AssumptionVerdict {
  const field = appField(
    e,
    'thumbnail',
    'the thumbnail',
    (v) => v === null || isAbsoluteUrl(v),
    (v) => (isRelativeUrl(v) ? 'thumbnail is a relative URL' : `thumbnail is ${shown(v)}, not null or an absolute URL`),
  );
  if (field.status === 'differs' && appRecords(e).every((r) => r.thumbnail === null || isAbsoluteUrl(r.thumbnail) || isRelativeUrl(r.thumbnail))) {
    field.handledBy = ['A15'];
  }
  if (field.status !== 'holds' && field.status !== 'differs') return field;
  if (e.thumbnailRead && !e.thumbnailRead.ok) {
    const reading = `the thumbnail could not be read with the token: ${e.thumbnailRead.problem}`;
    // Read or not, a thumbnail that cannot be fetched cannot be compared (A16 lets everything else go on).
    return { status: 'differs', detail: field.status === 'differs' ? `${field.detail}; ${reading}` : reading };
  }
  if (field.status === 'holds' && e.thumbnailRead === undefined) return { status: 'holds', detail: 'no app has a thumbnail, so none was read' };
  return field;
}

function checkDefaultVersion(e: WireEvidence): AssumptionVerdict {
  const field = appField(
    e,
    'version',
    'the default version',
    isWholeFrom1,
    (v) => `the app's version is ${shown(v)}, not a whole number from 1`,
  );
  const versions = appRecords(e).map((r) => r.version);
  if (field.status === 'differs' && versions.some(isDecimalString) && versions.every((v) => isWholeFrom1(v) || isDecimalString(v))) {
    return { status: 'differs', detail: 'the default version is a decimal string, not a number', handledBy: ['A18'] };
  }
  if (field.status !== 'holds') return field;
  // The default must be one of the app's versions when they are listed as numbers.
  for (const record of appRecords(e)) {
    if (!Array.isArray(record.versions)) continue;
    const numbers = record.versions.map((v: unknown) => (isObject(v) ? v.version : v)).filter((v: unknown): v is number => typeof v === 'number');
    if (numbers.length === record.versions.length && !numbers.includes(record.version as number)) {
      return { status: 'differs', detail: `an app's version ${shown(record.version)} is not among its versions` };
    }
  }
  return field;
}

function checkVersions(e: WireEvidence): AssumptionVerdict {
  const records = appRecords(e);
  if (records.length === 0) return noApps(e);
  if (records.every((r) => r.versions === undefined)) return { status: 'differs', detail: 'versions not listed (no `versions` field)' };
  const notList = records.find((r) => r.versions !== undefined && !Array.isArray(r.versions));
  if (notList) return { status: 'differs', detail: `versions is ${shown(notList.versions)}, not a list` };
  const kinds = new Set<string>();
  for (const entry of versionEntries(e)) {
    if (isWholeFrom1(entry) || (isObject(entry) && isWholeFrom1(entry.version))) continue;
    if (isDecimalString(entry) || (isObject(entry) && isDecimalString(entry.version))) kinds.add('decimal strings');
    else if (typeof entry === 'string' && looksLikeUrl(entry) && /@\d+\/?$/.test(entry)) kinds.add('URLs');
    else return { status: 'differs', detail: `a version entry is ${shown(entry)}, not a number, a version URL or an object with \`version\`` };
  }
  if (records.some((r) => r.versions === undefined)) return { status: 'differs', detail: 'versions missing from some app records' };
  if (kinds.size > 0) return { status: 'differs', detail: `versions are ${[...kinds].sort().join(' and ')}, not numbers or objects with \`version\``, handledBy: ['A17'] };
  const entries = versionEntries(e);
  if (entries.length === 0) return { status: 'holds' };
  return { status: 'holds', detail: entries.every((v) => typeof v === 'number') ? 'versions are bare numbers' : 'versions are objects with `version`' };
}

function checkVersionWorkflow(e: WireEvidence): AssumptionVerdict {
  if (e.versionDetail === undefined) return e.appList === undefined || e.appList.length === 0 ? noApps(e) : { status: 'not-seen', detail: "no version's details were read" };
  if (!isObject(e.versionDetail)) return { status: 'differs', detail: `a version's details are ${shown(e.versionDetail)}` };
  const workflow = e.versionDetail.workflow;
  const problems: string[] = [];
  if (workflow === undefined) problems.push("a version's workflow is not reported");
  else if (!isObject(workflow)) problems.push(`a version's workflow is ${shown(workflow)}, not an object`);
  else if (workflow.path === undefined) problems.push("a version's workflow path is not reported");
  else if (typeof workflow.path !== 'string' || workflow.path === '') problems.push(`a version's workflow path is ${shown(workflow.path)}`);
  const pathKnown = problems.length === 0;
  const fingerprint = e.versionDetail.fingerprint;
  if (fingerprint === undefined) problems.push("a version's fingerprint is not reported");
  else if (fingerprint !== null && typeof fingerprint !== 'string') problems.push(`a version's fingerprint is ${shown(fingerprint)}`);
  else if (fingerprint === null) problems.push("a version's fingerprint is null");
  if (problems.length === 0) return { status: 'holds' };
  // With the workflow's path known, only its content cannot be compared.
  return pathKnown ? { status: 'differs', detail: problems.join('; '), loses: ['workflow-content'] } : { status: 'differs', detail: problems.join('; ') };
}

function checkWorkflowFingerprint(e: WireEvidence): AssumptionVerdict {
  if (e.workflowList === undefined) return { status: 'not-seen', detail: 'workflows/ was not read' };
  const records = e.workflowList.filter(isObject);
  if (records.length === 0) return { status: 'not-seen', detail: 'no workflows on this server to look at' };
  if (e.workflowListProblem !== undefined) return { status: 'differs', detail: `p7apps cannot read workflows/: ${e.workflowListProblem}` };
  const missing = records.filter((r) => r.fingerprint === undefined).length;
  if (missing === records.length) return { status: 'differs', detail: 'workflow fingerprint not reported (no `fingerprint` field)' };
  const wrong = records.find((r) => r.fingerprint !== undefined && typeof r.fingerprint !== 'string');
  if (wrong) return { status: 'differs', detail: `a workflow's fingerprint is ${shown(wrong.fingerprint)}` };
  if (missing > 0) return { status: 'differs', detail: `workflow fingerprint missing from ${missing} of ${records.length} workflows` };
  return { status: 'holds' };
}

function checkStates(e: WireEvidence): AssumptionVerdict {
  const records = appRecords(e);
  if (records.length === 0) return noApps(e);
  const states: unknown[] = [];
  for (const record of [...records, ...(isObject(e.versionDetail) ? [e.versionDetail] : [])]) {
    if (record.state !== undefined) states.push(record.state);
  }
  for (const entry of versionEntries(e)) if (isObject(entry) && entry.state !== undefined) states.push(entry.state);
  if (states.length === 0) return { status: 'differs', detail: 'publishing states not reported (no `state` field)' };
  const notText = states.find((s) => typeof s !== 'string' || s === '');
  if (notText !== undefined) return { status: 'differs', detail: `a state is ${shown(notText)}, not a name` };
  const names = [...new Set(states as string[])].sort();
  const unknown = names.find((s) => versionStateKind(s) === 'unknown');
  if (unknown !== undefined) return { status: 'differs', detail: `state ${shown(unknown)} is not one p7apps knows` };
  // Another name for a failure (ERROR, CANCELLED...) ends a publish as FAILED does (A23).
  const otherFailures = names.filter((s) => versionStateKind(s) === 'failed' && s !== 'FAILED');
  if (otherFailures.length > 0) {
    return { status: 'differs', detail: `failures are named ${otherFailures.map((s) => shown(s)).join(', ')}, not "FAILED"`, handledBy: ['A23'] };
  }
  return { status: 'holds', detail: `states seen: ${names.join(', ')}` };
}

/** Fields the one app's details carry that its entry in apps/ lacks. */
export function shortEntryFields(e: WireEvidence): string[] {
  if (!isObject(e.appDetail) || e.appList === undefined) return [];
  const entry = e.appList.find((item) => isObject(item) && item.id === (e.appDetail as WireObject).id);
  if (!isObject(entry)) return [];
  return Object.keys(e.appDetail).filter((key) => entry[key] === undefined).sort();
}

function checkLists(e: WireEvidence): AssumptionVerdict {
  if (e.appList === undefined || e.workflowList === undefined) return { status: 'not-seen', detail: 'the lists were not read' };
  const short = shortEntryFields(e);
  if (short.length > 0) {
    return {
      status: 'differs',
      detail: `apps/ entries are shorter than GET apps/{id}/: ${fieldList(short)} only in the details`,
      handledBy: ['A19'],
    };
  }
  const shapes = [
    ['apps/', e.appListShape],
    ['workflows/', e.workflowListShape],
  ] as const;
  const pages = shapes.filter(([, s]) => s?.shape === 'page').map(([name, s]) => `${name} in ${s!.pages} DRF page${s!.pages === 1 ? '' : 's'}`);
  return { status: 'holds', detail: pages.length > 0 ? `${pages.join(', ')}, followed through next` : undefined };
}

function checkWorkspace(e: WireEvidence): AssumptionVerdict {
  const field = appField(
    e,
    'workspace',
    'the workspace',
    (v) => isObject(v) && typeof v.id === 'string' && v.id !== '' && typeof v.name === 'string',
    (v) => {
      if (!isObject(v)) return `workspace is ${shown(v)}, not an object`;
      if (typeof v.id === 'number') return 'workspace id is a number, not a string';
      if (v.id === undefined || v.name === undefined) return 'workspace lacks its id or name';
      return `workspace id ${shown(v.id)} or name ${shown(v.name)} is not a string`;
    },
  );
  const numericOnly = appRecords(e).every(
    (r) => r.workspace === undefined || (isObject(r.workspace) && typeof r.workspace.name === 'string' && (typeof r.workspace.id === 'string' || Number.isSafeInteger(r.workspace.id))),
  );
  if (field.status === 'differs' && numericOnly && field.detail === 'workspace id is a number, not a string') field.handledBy = ['A18'];
  return field;
}

function checkAppUrl(e: WireEvidence): AssumptionVerdict {
  if (!isObject(e.appDetail)) return e.appList === undefined || e.appList.length === 0 ? noApps(e) : { status: 'not-seen', detail: "no app's details were read" };
  const { url, version } = e.appDetail;
  if (url === undefined) return { status: 'differs', detail: "the app's url is not reported" };
  if (isRelativeUrl(url)) return { status: 'differs', detail: "the app's url is a relative URL", handledBy: ['A15'] };
  if (!isAbsoluteUrl(url)) return { status: 'differs', detail: `the app's url is ${shown(url)}` };
  const own = typeof version === 'number' && (url as string).endsWith(`@${version}/`);
  return { status: 'holds', detail: own ? "it is the default version's own URL" : "it is the app's URL; the default version's URL is read from its details" };
}

/**
 * A rule for servers that differ is in use where a difference it reads was
 * seen; otherwise nothing here needs it.
 */
function ruleInUse(id: AssumptionId, e: WireEvidence): AssumptionVerdict {
  // Only the assumptions proper (they affect something): a rule's own check would ask the rules again.
  const using = ASSUMPTIONS.filter((a) => a.affects.length > 0 && a.check(e).handledBy?.includes(id)).map((a) => `${a.id} ${a.title}`);
  return using.length > 0 ? { status: 'holds', detail: `in use here (${using.join(', ')})` } : { status: 'not-seen', detail: 'nothing here needs it' };
}

function thumbnailRule(e: WireEvidence): AssumptionVerdict {
  if (e.thumbnailRead?.ok !== false) return { status: 'not-seen', detail: 'nothing here needs it' };
  return { status: 'holds', detail: 'in use here: a thumbnail could not be read, so thumbnails are not compared; everything else goes on' };
}

const needsPublish = (what: string) => (): AssumptionVerdict => ({ status: 'needs-publish', detail: what });

const NO_RUN_LIST = 'apps/{id}/runs/ was not read';
const KNOWN_RUN_STATES: ReadonlySet<string> = new Set(RUN_STATES);

/** A25: the app's run list answers, and its entries carry a string `id` and `state`. */
function checkAppRuns(e: WireEvidence): AssumptionVerdict {
  const read = e.appRuns;
  if (read === undefined) return { status: 'not-seen', detail: e.appList?.length === 0 ? NO_APPS : NO_RUN_LIST };
  if (!read.ok) return { status: 'differs', detail: `GET apps/{id}/runs/ ${read.problem}` };
  const odd = read.runs.find((r) => !isObject(r) || !(typeof r.id === 'string' || typeof r.id === 'number') || typeof r.state !== 'string');
  if (odd !== undefined) {
    const why = !isObject(odd) ? `an entry is ${shown(odd)}` : `an entry lacks a string id or state (${fieldList(Object.keys(odd))})`;
    return { status: 'differs', detail: why };
  }
  const other = [...new Set(read.runs.map((r) => (r as WireObject).state as string).filter((s) => !KNOWN_RUN_STATES.has(s)))];
  if (other.length > 0) return { status: 'differs', detail: `runs in states the guide does not name: ${other.slice(0, 4).map(shown).join(', ')}`, handledBy: ['A27'] };
  return { status: 'holds', detail: read.runs.length === 0 ? 'the app has no runs yet: an empty list' : undefined };
}

/** A26: `apps/{id}@{v}/runs/` answers; a 404 or 405 there (the version itself being there) means it is not supported. */
function checkVersionRuns(e: WireEvidence): AssumptionVerdict {
  const read = e.versionRuns;
  if (read === undefined) return { status: 'not-seen', detail: e.appList?.length === 0 ? NO_APPS : 'no version was read to try its runs/' };
  if (read.ok) return { status: 'holds', detail: `GET ${read.path} answered` };
  return { status: 'differs', detail: `GET ${read.path} ${read.problem}: only the default version can be run (p7apps falls back as docs/runs.md says)` };
}



/** Every wire assumption, in order. */
export const ASSUMPTIONS: readonly Assumption[] = [
  {
    id: 'A1',
    title: 'description',
    meaning: "an app's description is `description`, a string or null",
    affects: ['description'],
    check: (e) => appField(e, 'description', 'the description', (v) => v === null || typeof v === 'string', (v) => `description is ${shown(v)}, not a string or null`),
  },
  {
    id: 'A2',
    title: 'copy permission',
    meaning: 'the copy permission is `allow_get_as_workflow`, true or false',
    affects: ['copy-permission'],
    check: (e) => appField(e, 'allow_get_as_workflow', 'the copy permission', (v) => typeof v === 'boolean', (v) => `allow_get_as_workflow is ${shown(v)}, not true or false`),
  },
  {
    id: 'A3',
    title: 'thumbnail',
    meaning: '`thumbnail` is null or the absolute URL of the image, readable with the same token',
    affects: ['thumbnail'],
    check: checkThumbnail,
  },
  {
    id: 'A4',
    title: 'default version',
    meaning: "an app record describes its default version: its `version` is the default's number",
    affects: ['versions'],
    check: checkDefaultVersion,
  },
  {
    id: 'A5',
    title: 'versions',
    meaning: "an app's `versions` lists version numbers or objects with at least `version`",
    affects: ['versions'],
    check: checkVersions,
  },
  {
    id: 'A6',
    title: 'workflow of a version',
    meaning: "a version's `workflow` carries the `path` it was published from, and its `fingerprint` that workflow's content then",
    affects: ['workflow', 'workflow-content'],
    check: checkVersionWorkflow,
  },
  {
    id: 'A7',
    title: 'workflow fingerprint',
    meaning: "workflows/ entries carry `fingerprint`, the workflow's current content fingerprint",
    affects: ['workflow-content'],
    check: checkWorkflowFingerprint,
  },
  {
    id: 'A8',
    title: 'publishing states',
    meaning: '`state` is QUEUED_TO_INITIALIZE, INITIALIZING, READY or FAILED (the reason in `state_detail`)',
    affects: ['publishing-state'],
    check: checkStates,
  },
  {
    id: 'A9',
    title: 'lists',
    meaning: 'apps/ and workflows/ are JSON arrays (or DRF pages) of the same objects as their detail endpoints',
    affects: ['versions'],
    check: checkLists,
  },
  {
    id: 'A10',
    title: 'concurrent publishes',
    meaning: 'a publish while a version of the app initialises is refused with 409 and Retry-After, committing nothing',
    affects: ['publish'],
    check: needsPublish('only a publish while a version initialises would show it'),
  },
  {
    id: 'A11',
    title: 'workspace',
    meaning: "an app's `workspace` carries both `id` (a string) and `name`",
    affects: ['workspace'],
    check: checkWorkspace,
  },
  {
    id: 'A12',
    title: 'publish encoding',
    meaning: 'a publish is accepted as multipart/form-data, as the guide sends it, with True/False and the thumbnail as a file part',
    affects: ['publish'],
    check: needsPublish('only a publish would show how the server reads one'),
  },
  {
    id: 'A13',
    title: 'app URL',
    meaning: "an app's `url` is its default version's own URL only when it ends in @{version}/",
    affects: ['versions'],
    check: checkAppUrl,
  },
  {
    id: 'A14',
    title: 'thumbnail types',
    meaning: 'the server accepts PNG, JPEG, GIF, WebP and SVG thumbnails',
    affects: ['publish'],
    check: needsPublish('only a publish with a thumbnail would show which image types the server accepts'),
  },
  // The rules for servers that differ: how p7apps reads what the guide allows but A1-A14 did not expect.
  {
    id: 'A15',
    title: 'relative URLs',
    meaning: 'a `url`, `thumbnail` or version URL relative to the server is read against the sign-in URL',
    affects: [],
    check: (e) => ruleInUse('A15', e),
  },
  {
    id: 'A16',
    title: 'unreadable thumbnails',
    meaning: "a thumbnail URL that cannot be read makes that app's thumbnail unverifiable and stops nothing else",
    affects: [],
    check: thumbnailRule,
  },
  {
    id: 'A17',
    title: 'version list entries',
    meaning: 'an entry of `versions` may also be a decimal string or a version URL ending in @{v}/',
    affects: [],
    check: (e) => ruleInUse('A17', e),
  },
  {
    id: 'A18',
    title: 'ids and numbers',
    meaning: 'an id sent as a JSON number is read as its decimal string; a version number sent as a decimal string as the number',
    affects: [],
    check: (e) => ruleInUse('A18', e),
  },
  {
    id: 'A19',
    title: 'reading per app',
    meaning: 'short apps/ entries are completed with GET apps/{id}/; a field p7apps cannot read is unverifiable, not an error',
    affects: [],
    check: (e) => ruleInUse('A19', e),
  },
  // What publishing rests on beyond A10, A12 and A14: only a publish shows these.
  {
    id: 'A20',
    title: 'the publish answer',
    meaning: 'the 201 answer to a publish names at least the app id; its version is read from `version` or its `url`',
    affects: ['publish'],
    check: needsPublish('only a publish shows its answer'),
  },
  {
    id: 'A21',
    title: 'a 2xx publish was committed',
    meaning: 'a publish answered 2xx happened, even when its answer cannot be read: it is read back, never resent',
    affects: ['publish'],
    check: needsPublish('only a publish shows what the server answers to one'),
  },
  {
    id: 'A22',
    title: 'where a publish is polled',
    meaning: "a new version is polled at the publish answer's `url` when it is under the app API, else at apps/{id}@{v}/",
    affects: ['publish'],
    check: needsPublish("only a publish shows the answer's URL"),
  },
  {
    id: 'A23',
    title: 'publishing states apply waits on',
    meaning: 'READY ends a publish; ERROR, CANCELLED and other failure names end it as FAILED does; an unknown state is waited on for a bounded time',
    affects: [],
    check: (e) => ruleInUse('A23', e),
  },
  {
    id: 'A24',
    title: 'a publish while one is publishing',
    meaning: 'a server that queues such a publish (201) instead of answering 409 shows it at once, QUEUED_TO_INITIALIZE',
    affects: ['publish'],
    check: needsPublish('only a publish while a version initialises would show it'),
  },
  // Runs, for checks (docs/runs.md): the probe lists runs, and never deploys one.
  {
    id: 'A25',
    title: 'app runs',
    meaning:
      'app runs are deployed at apps/{id}/runs/ (multipart `name`, `personal` True/False), read at their `url`, with `id`, `state`, ' +
      '`state_detail`, `parameters` and `results` as for workflow runs',
    affects: ['runs'],
    check: checkAppRuns,
  },
  {
    id: 'A26',
    title: 'running a given version',
    meaning: "a given version is run at its own URL + runs/ (apps/{id}@{v}/runs/), as the default one at apps/{id}/runs/",
    affects: ['version-runs'],
    check: checkVersionRuns,
  },
  {
    id: 'A27',
    title: 'run states',
    meaning:
      'a run state the guide does not name (beyond QUEUED_TO_INITIALIZE, CONFIGURATION, QUEUED_TO_RUN, RUNNING, FINISHED, FAILED, INTERRUPTED) is kept as it is and never taken for an end',
    affects: [],
    check: (e) => ruleInUse('A27', e),
  },
  {
    id: 'A28',
    title: 'run commands',
    meaning:
      "parameters are set by PATCHing the run's details with `.parameters[].value.data` changed; run/ and interrupt/ are POSTs; " +
      'a DELETE repeated after a lost answer answers 404, which means deleted',
    affects: ['runs', 'version-runs'],
    check: () => ({ status: 'needs-run', detail: 'only a run would show it, and the probe never deploys one' }),
  },
];

