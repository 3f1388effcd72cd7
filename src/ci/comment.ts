// The one pull-request comment (GitHub) or merge-request note (GitLab) that
// shows the plan: what it says, and the hidden marker by which the next run
// finds it again, edits it in place, and by which the merge run finds the
// plan that was reviewed. Pure: no I/O.
//
// The marker is an HTML comment on the first line, invisible when rendered:
//   <!-- p7apps-plan {"v":1,"head":"<sha>","run":"<id>","artifact":"<id>","digest":"sha256:<hex>"} -->
// `artifact` and `digest` are present only when a plan was saved: a failed
// plan leaves a comment without them, so merging after it finds no reviewed
// plan. Every value is checked on the way in and on the way out (digits,
// hex), so the marker can never close the HTML comment or carry text.

import { escapeUnsafe, markdownCode, markdownFence, markdownText } from '../render/escape.js';

export const MARKER_PREFIX = '<!-- p7apps-plan ';
// Only the first line counts: text further down (a quoted failure, say) can never pose as the marker.
// A comment edited in GitHub's web page comes back with CRLF line ends.
const MARKER_LINE = /^<!-- p7apps-plan (\{[^\r\n]*?\}) -->(?:\r?\n|$)/;

/** GitHub's limit for an issue or pull-request comment body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** GitLab's limit for a note body, in characters. */
export const GITLAB_NOTE_LIMIT = 1_000_000;

export interface PlanMarker {
  /** The commit the plan was made for: the pull request's head. */
  head: string;
  /** The CI run (GitHub run id, GitLab job id) that made the plan. */
  run: string;
  /** Where the saved plan was stored: a GitHub artifact id, a GitLab job id. Absent when no plan was saved. */
  artifact?: string;
  /** sha256 of the saved plan's bytes, as `sha256:<hex>`. Present with `artifact`. */
  digest?: string;
}

const SHA = /^[0-9a-f]{7,64}$/;
const ID = /^[0-9]{1,20}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The marker line; throws on a value that could escape it (a bug of the caller, never user text). */
export function markerLine(marker: PlanMarker): string {
  const problem = markerProblem(marker);
  if (problem) throw new Error(`bad plan marker: ${problem}`);
  const fields: Record<string, string | number> = { v: 1, head: marker.head, run: marker.run };
  if (marker.artifact !== undefined) fields.artifact = marker.artifact;
  if (marker.digest !== undefined) fields.digest = marker.digest;
  return `${MARKER_PREFIX}${JSON.stringify(fields)} -->`;
}

function markerProblem(marker: PlanMarker): string | null {
  if (!SHA.test(marker.head)) return 'head is not a commit sha';
  if (!ID.test(marker.run)) return 'run is not a number';
  if ((marker.artifact === undefined) !== (marker.digest === undefined)) return 'artifact and digest go together';
  if (marker.artifact !== undefined && !ID.test(marker.artifact)) return 'artifact is not a number';
  if (marker.digest !== undefined && !DIGEST.test(marker.digest)) return 'digest is not sha256:<hex>';
  return null;
}

/** The marker on the first line of a comment body, or null when it has none or a malformed one. */
export function parseMarker(body: string): PlanMarker | null {
  const found = MARKER_LINE.exec(body);
  if (!found) return null;
  let value: unknown;
  try {
    value = JSON.parse(found[1]!);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || (value as { v?: unknown }).v !== 1) return null;
  const raw = value as Record<string, unknown>;
  const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : typeof raw[key] === 'number' ? String(raw[key]) : undefined);
  const marker: PlanMarker = { head: text('head') ?? '', run: text('run') ?? '' };
  const artifact = text('artifact');
  const digest = text('digest');
  if (artifact !== undefined) marker.artifact = artifact;
  if (digest !== undefined) marker.digest = digest;
  return markerProblem(marker) ? null : marker;
}

/** Whether a comment body is one of ours (it carries the marker). */
export function hasMarker(body: string): boolean {
  return parseMarker(body) !== null;
}

export interface PlanCommentInput {
  marker: PlanMarker;
  /** The plan as `p7apps show --format markdown` rendered it (already escaped by the renderer). */
  markdown: string;
  /** Where the full plan can be downloaded. */
  artifactUrl: string;
  /** The CI run that made the plan. */
  runUrl: string;
  /** Characters the forge allows in one comment. */
  limit: number;
  /** What merging will do, one sentence of our own words. */
  mergeNote: string;
}

/** The comment for a saved plan: marker, plan (cut to the limit), where it came from. */
export function planComment(input: PlanCommentInput): string {
  const head = markerLine(input.marker);
  const footer = [
    '',
    '---',
    `<sub>Planned by [this run](${linkTarget(input.runUrl)}) for commit ${markdownCode(input.marker.head.slice(0, 12))}; ` +
      `the saved plan (${markdownCode(input.marker.digest!)}) is the [plan artifact](${linkTarget(input.artifactUrl)}). ${markdownText(input.mergeNote)}</sub>`,
  ].join('\n');
  const room = input.limit - head.length - footer.length - 2;
  const fullPlanAt = `The full plan is in the [plan artifact](${linkTarget(input.artifactUrl)}) (\`p7apps show plan.json\`).`;
  return `${head}\n${cutMarkdown(input.markdown.trimEnd(), room, fullPlanAt)}\n${footer}`;
}

export interface FailureCommentInput {
  marker: PlanMarker;
  /** Which step failed, in our own words ("validate", "plan"). */
  step: string;
  exitCode: number;
  /** What the step printed (its errors); shown escaped inside a code block. */
  output: string;
  /** The plan as far as it was made (a plan with conflicts), rendered by p7apps; shown after the output. */
  markdown?: string;
  runUrl: string;
  limit: number;
}

/** The comment when no plan could be saved: what failed, and that merging applies nothing until a plan succeeds. */
export function failureComment(input: FailureCommentInput): string {
  const head = markerLine(input.marker);
  const intro = [
    '## p7apps plan failed',
    '',
    `**${markdownText(`p7apps ${input.step}`)} exited with code ${input.exitCode}**: no plan was saved, so merging this change applies nothing until a later run plans it successfully.`,
    '',
  ].join('\n');
  const footer = `\n<sub>[The run](${linkTarget(input.runUrl)}) for commit ${markdownCode(input.marker.head.slice(0, 12))}.</sub>`;
  let room = input.limit - head.length - intro.length - footer.length - 64;
  // The errors first, in at most half of the room when a plan follows them.
  const plan = input.markdown?.trimEnd() ?? '';
  if (plan !== '') room = Math.floor(room / 2);
  const lines = input.output.trimEnd().split(/\r?\n/).map(escapeUnsafe);
  let shown = lines;
  let cut = false;
  while (shown.join('\n').length > room && shown.length > 0) {
    shown = shown.slice(0, Math.max(0, Math.floor(shown.length * 0.9) - 1));
    cut = true;
  }
  if (cut) shown = [...shown, `... (output cut; the run's log has all of it)`];
  const fence = markdownFence(shown);
  const output = `${fence}text\n${shown.join('\n')}\n${fence}\n`;
  if (plan === '') return `${head}\n${intro}${output}${footer}`;
  const left = input.limit - head.length - intro.length - output.length - footer.length - 4;
  const planPart = cutMarkdown(plan.replace(/^## p7apps plan\n/, '### The plan\n'), left, "The full plan is in the run's log.");
  return `${head}\n${intro}${output}\n${planPart}\n${footer}`;
}

/** A URL we built from the CI's environment, safe inside a Markdown link target. */
function linkTarget(url: string): string {
  return URL.canParse(url) ? new URL(url).href.replace(/[()\s<>]/g, (ch) => encodeURIComponent(ch)) : '#';
}

/**
 * Markdown cut to at most `room` characters at a line boundary, with every
 * <details> and code fence left open closed again and a notice ending with
 * `fullPlanAt` (our own Markdown: where the full plan is). Unchanged when it fits.
 */
export function cutMarkdown(markdown: string, room: number, fullPlanAt: string): string {
  if (markdown.length <= room) return markdown;
  const notice = (shown: number) =>
    `\n\n> [!WARNING]\n> The plan is too long for one comment: only its first ${shown} of ${markdown.length} characters are shown. ${fullPlanAt}`;
  // Room for the notice and the closing tags; the loop shortens until everything fits.
  let budget = room - notice(markdown.length).length - 64;
  const lines = markdown.split('\n');
  for (;;) {
    const kept: string[] = [];
    let used = 0;
    for (const line of lines) {
      if (used + line.length + 1 > budget) break;
      kept.push(line);
      used += line.length + 1;
    }
    const closed = closeOpenBlocks(kept);
    const text = `${closed.join('\n')}${notice(kept.join('\n').length)}`;
    if (text.length <= room) return text;
    if (kept.length === 0) return notice(0).trimStart();
    budget -= text.length - room + 16;
  }
}

/** The lines with a code fence left open closed, then every <details> left open closed. */
function closeOpenBlocks(lines: string[]): string[] {
  const out = [...lines];
  let fence: string | null = null;
  let openDetails = 0;
  for (const line of lines) {
    const trimmed = line.trimStart();
    if (fence !== null) {
      if (trimmed.startsWith(fence) && trimmed.slice(fence.length).trim() === '') fence = null;
      continue;
    }
    const opening = /^(`{3,})/.exec(trimmed);
    if (opening) {
      fence = opening[1]!;
      continue;
    }
    openDetails += (line.match(/<details[\s>]/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
  }
  if (fence !== null) out.push(fence);
  // A table or list cut short ends at a blank line before the closing tags.
  out.push('');
  for (let i = 0; i < openDetails; i++) out.push('</details>');
  return out;
}
