// The JSON form of an imported config: the same value the YAML form holds,
// `$schema` first for editor completion, two-space indented. JSON has no
// comments, so the draft's header and per-app notes are not in the file; the
// import command prints its warnings, and the plan shows the rest.

import { jsonText } from '../render/escape.js';
import { draftToConfigValue, type ConfigDraft } from './draft.js';

/** As the other formats, invisible and bidi characters are written as \u escapes: a reviewer sees them. */
export function renderConfigJson(draft: ConfigDraft): string {
  return `${jsonText(draftToConfigValue(draft, 'json'), 2)}\n`;
}
