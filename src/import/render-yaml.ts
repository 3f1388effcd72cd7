// The YAML form of an imported config, written with the `yaml` package (the
// one the loader reads it with) and laid out like examples/catalog-yaml: a
// header comment, a `$schema` key for editor completion, one blank line
// between apps, versions as one-line flow maps. A string another YAML reader
// could take for something else (`yes`, `0o7`, `12:30` under YAML 1.1) is
// quoted, so the file means the same to every tool. A string holding a
// control, bidi or invisible character is double-quoted with \u escapes.

import { Document, isMap, isScalar, isSeq, parse, Scalar, visit } from 'yaml';
import { hasUnsafeChars } from '../render/escape.js';
import { draftToConfigValue, oneLine, SCHEMA_REFERENCE, type ConfigDraft } from './draft.js';

export function renderConfigYaml(draft: ConfigDraft): string {
  const doc = new Document(draftToConfigValue(draft, 'yaml'));
  const header = [`yaml-language-server: $schema=${draft.schemaReference ?? SCHEMA_REFERENCE}`, '', ...draft.header];
  doc.commentBefore = header.map((line) => (line === '' ? '' : ` ${oneLine(line)}`)).join('\n');

  const apps = doc.get('apps', true);
  if (isSeq(apps)) {
    apps.items.forEach((item, index) => {
      if (!isMap(item)) return;
      const comments = draft.apps[index]?.comments ?? [];
      if (comments.length > 0) item.commentBefore = comments.map((c) => ` ${oneLine(c)}`).join('\n');
      if (index > 0) item.spaceBefore = true;
      const versions = item.get('versions', true);
      if (isSeq(versions)) for (const version of versions.items) if (isMap(version)) version.flow = true;
    });
  }
  const appsKey = doc.contents && isMap(doc.contents) ? doc.contents.items.find((pair) => isScalar(pair.key) && pair.key.value === 'apps')?.key : undefined;
  if (isScalar(appsKey)) appsKey.spaceBefore = true;

  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && (readsAsOtherThanItself(node.value) || hasUnsafeChars(node.value))) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  // The yaml package leaves bidi, invisible and C1 characters raw even in double quotes; those strings are double-quoted
  // (above), where \u escapes mean the same string, so no hostile value can hide text from a reviewer.
  return doc.toString({ lineWidth: 0 }).replace(UNSAFE_IN_YAML, yamlEscape);
}

/** What a double-quoted YAML scalar should not hold raw; newlines outside scalars are the document's own. */
const UNSAFE_IN_YAML = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

function yamlEscape(ch: string): string {
  const code = ch.codePointAt(0)!;
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\U${code.toString(16).padStart(8, '0')}`;
}

/** Whether a plain scalar with this text would be read as anything but this string, by YAML 1.2 or 1.1. */
function readsAsOtherThanItself(text: string): boolean {
  for (const version of ['1.2', '1.1'] as const) {
    try {
      if (parse(text, { version, logLevel: 'silent' }) !== text) return true;
    } catch {
      return true;
    }
  }
  return false;
}
