// The TypeScript form of an imported config: `import { defineConfig } from
// 'p7apps'`, then `export default defineConfig({...})` laid out like
// examples/catalog. Every string is a JSON string literal (valid TypeScript
// whatever it holds); U+2028 and U+2029 are escaped as well, since older
// tools end a line there.

import { jsonText } from '../render/escape.js';
import { appValue, oneLine, type ConfigDraft, type DraftApp, type DraftWorkspace } from './draft.js';

export function renderConfigTs(draft: ConfigDraft): string {
  const lines: string[] = ["import { defineConfig } from 'p7apps';", ''];
  for (const line of draft.header) lines.push(line === '' ? '//' : `// ${oneLine(line)}`);
  lines.push('export default defineConfig({');
  lines.push(`  server: { url: ${literal(draft.serverUrl)} },`);
  if (draft.defaults) lines.push(`  defaults: { workspace: ${workspaceLiteral(draft.defaults.workspace)} },`);
  if (draft.apps.length === 0) {
    lines.push('  apps: [],');
  } else {
    lines.push('  apps: [');
    for (const app of draft.apps) lines.push(...appLines(app));
    lines.push('  ],');
  }
  lines.push('});', '');
  return lines.join('\n');
}

function appLines(app: DraftApp): string[] {
  const lines = ['    {'];
  for (const comment of app.comments) lines.push(`      // ${oneLine(comment)}`);
  for (const [key, value] of Object.entries(appValue(app))) {
    if (key === 'versions') {
      lines.push('      versions: [');
      for (const v of app.versions) lines.push(`        { version: ${v.version}, workflow: ${literal(v.workflow)} },`);
      lines.push('      ],');
    } else if (key === 'workspace') {
      lines.push(`      workspace: ${workspaceLiteral(value as DraftWorkspace)},`);
    } else {
      lines.push(`      ${key}: ${typeof value === 'string' ? literal(value) : String(value)},`);
    }
  }
  lines.push('    },');
  return lines;
}

function workspaceLiteral(workspace: DraftWorkspace): string {
  return typeof workspace === 'string' ? literal(workspace) : `{ id: ${literal(workspace.id)} }`;
}

/** A double-quoted string literal, JSON-escaped, with bidi and invisible characters as \u escapes too (no "Trojan Source" in review). */
export function literal(text: string): string {
  return jsonText(text);
}
