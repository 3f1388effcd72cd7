// How the parts of a plan read, shared by the human and Markdown renderers:
// a publish as the wire fields it sends, what it is expected to create, and
// one attribute change as "before -> after" (a plan) or as its two sides,
// "server: X, config: Y" (drift).

import { isUnknown } from '../appshub/types.js';
import type { EditedWorkflow } from '../plan/drift.js';
import type { AttributeChange, PlannedPublish, PublishExpectation } from '../plan/types.js';
import { maybeText, quote, quoteShort, thumbnailText } from './text.js';

/**
 * The fields a publish sends, named as on the wire, in the order of the
 * guide. `version` is always shown: "(next)" means it is left out so the
 * server assigns the next number. The description is shortened.
 */
export function requestFields(publish: PlannedPublish): [name: string, value: string][] {
  const r = publish.request;
  const fields: [string, string][] = [
    ['version', r.version === undefined ? '(next)' : String(r.version)],
    ['set_version_as_default', String(r.setVersionAsDefault)],
    ['workflow_path', r.workflowPath],
  ];
  if (r.workspaceName !== undefined) fields.push(['workspace.name', quote(r.workspaceName)]);
  if (r.workspaceId !== undefined) fields.push(['workspace.id', quote(r.workspaceId)]);
  if (r.description !== undefined) fields.push(['description', quoteShort(r.description)]);
  if (r.allowGetAsWorkflow !== undefined) fields.push(['allow_get_as_workflow', String(r.allowGetAsWorkflow)]);
  if (r.thumbnail !== undefined) fields.push(['thumbnail', `${r.thumbnail.filename} (sha256 ${r.thumbnail.sha256.slice(0, 12)})`]);
  return fields;
}

/** "creates the app as version 1", "adds version 3", "new revision of version 2 (replaces revision 4)"; and whether it ends up default. */
export function expectationText(expect: PublishExpectation): string {
  let text: string;
  if (expect.creates === 'app') text = `creates the app as version ${expect.version}`;
  else if (expect.creates === 'version') text = `adds version ${expect.version}`;
  else {
    const previous = expect.previousRevision;
    const replaces = previous === null ? '' : isUnknown(previous) ? ' (replaces its current revision)' : ` (replaces revision ${previous})`;
    text = `new revision of version ${expect.version}${replaces}`;
  }
  return expect.becomesDefault ? `${text}; default afterwards` : text;
}

export function changeLabel(change: AttributeChange): string {
  switch (change.field) {
    case 'description':
      return 'description';
    case 'thumbnail':
      return 'thumbnail';
    case 'allowCopy':
      return 'copy permission';
    case 'defaultVersion':
      return 'default version';
    case 'version':
      return `version ${change.version}`;
  }
}

/** The change as "before -> after" on one line; descriptions are diffed by the renderers instead. */
export function changeValueText(change: Exclude<AttributeChange, { field: 'description' }>): string {
  const arrow = (before: string | null, after: string) => (before === null ? after : `${before} -> ${after}`);
  switch (change.field) {
    case 'thumbnail':
      return arrow(change.before === null ? null : thumbnailText(change.before), thumbnailText(change.after));
    case 'allowCopy':
      return arrow(change.before === null ? null : maybeText(change.before), String(change.after));
    case 'defaultVersion':
      return arrow(change.before === null ? null : maybeText(change.before), String(change.after));
    case 'version': {
      if (change.before === null) return `new, from ${change.after.workflowPath}`;
      const b = change.before;
      const was = `revision ${maybeText(b.revision)}${isUnknown(b.state) ? '' : ` (${b.state})`}`;
      if (b.workflowPath === change.after.workflowPath) return `${was} -> new revision, from ${change.after.workflowPath}`;
      return `${was} from ${maybeText(b.workflowPath)} -> new revision from ${change.after.workflowPath}`;
    }
  }
}

/**
 * The change as its two named sides, for drift reports: "server: true, config:
 * false". `text` shows a description (quoted in full, or shortened). The
 * server's side is "(none)" where it has nothing.
 */
export function sidesText(change: AttributeChange, text: (description: string) => string = quote): string {
  const sides = (server: string, config: string) => `server: ${server}, config: ${config}`;
  switch (change.field) {
    case 'description':
      return sides(change.before === null ? '(none)' : maybeText(change.before, (d) => (d === null ? '(none)' : text(d))), text(change.after));
    case 'thumbnail':
      return sides(thumbnailText(change.before), thumbnailText(change.after));
    case 'allowCopy':
    case 'defaultVersion':
      return sides(change.before === null ? '(none)' : maybeText(change.before), String(change.after));
    case 'version': {
      const config = `from ${change.after.workflowPath}`;
      if (change.before === null) return sides('(no such version)', config);
      const b = change.before;
      const was = `revision ${maybeText(b.revision)}${isUnknown(b.state) ? '' : ` (${b.state})`}`;
      if (b.workflowPath === change.after.workflowPath) return sides(`${was} from ${change.after.workflowPath}`, `a new revision ${config}`);
      return sides(`${was} from ${maybeText(b.workflowPath)}`, config);
    }
  }
}

/** "workflow W was edited since version N was published", and when the config says to report it only, so. */
export function editedWorkflowText(edited: EditedWorkflow): string {
  const text = `workflow ${edited.workflow} was edited since version ${edited.version} was published`;
  return edited.policy === 'report' ? `${text}; not republished by apply (onWorkflowChange: report)` : text;
}
