// The JSON form of an imported config: the same value the YAML form holds,
// `$schema` first for editor completion, two-space indented. JSON has no
// comments, so the draft's header and per-app notes are not in the file; the
// import command prints its warnings, and the plan shows the rest.

import { draftToConfigValue, type ConfigDraft } from './draft.js';

export function renderConfigJson(draft: ConfigDraft): string {
  return `${JSON.stringify(draftToConfigValue(draft, 'json'), null, 2)}\n`;
}
