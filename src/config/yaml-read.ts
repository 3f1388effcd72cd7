// A YAML config's text as a plain value, or its problems with their places:
// the same whether the CLI's thread reads it (./find.ts) or the worker that
// reads it while the CLI loads (./yaml-worker.ts). Imported only for YAML
// configs: the parser adds about 20 ms to every start-up otherwise.

import { parseDocument } from './yaml-document.js';

export interface YamlProblem {
  message: string;
  line?: number;
  column?: number;
}

export type YamlRead = { ok: true; value: unknown } | { ok: false; problems: YamlProblem[] };

export function readYaml(content: string): YamlRead {
  const document = parseDocument(content, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    // A stack overflow surfaces once per level the parser unwinds: one report says it.
    const overflow = document.errors.find((error) => isStackOverflow(error.message));
    const problems = (overflow ? [overflow] : document.errors).map((error): YamlProblem => {
      const where = error.linePos?.[0];
      const message = yamlProblem(error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
      return { message: `invalid YAML: ${message}`, ...(where ? { line: where.line, column: where.col } : {}) };
    });
    return { ok: false, problems };
  }
  try {
    return { ok: true, value: document.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    return { ok: false, problems: [{ message: `invalid YAML: ${yamlProblem(err instanceof Error ? err.message : String(err))}` }] };
  }
}

/** The parser recurses per level of nesting; a file nested thousands deep exhausts the stack. */
export function isStackOverflow(message: string): boolean {
  return /Maximum call stack size exceeded/i.test(message);
}

/** The parser's words, except where they describe the parser rather than the file. */
function yamlProblem(message: string): string {
  return isStackOverflow(message) ? 'nested too deeply to read; no config needs more than a few levels' : message;
}
