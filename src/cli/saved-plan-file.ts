// Reads a plan saved by `p7apps plan --out FILE` for the commands that take
// one (`show`, `apply FILE`): every way the file can be wrong is one message
// naming the file and what to do. A FIFO or device under its name is refused
// from its metadata: reading one could wait for ever.

import path from 'node:path';
import { P7appsError } from '../errors.js';
import { escapeUnsafe } from '../render/escape.js';
import { NOT_A_REGULAR_FILE, NotARegularFile, readRegularFile } from '../fs-read.js';
import { planFromDocument } from '../plan/document-read.js';
import type { Plan } from '../plan/types.js';

export async function readSavedPlan(cwd: string, given: string): Promise<{ file: string; plan: Plan }> {
  const file = path.resolve(cwd, given);
  let text: string;
  try {
    text = (await readRegularFile(file)).toString('utf8');
  } catch (err) {
    if (err instanceof NotARegularFile) {
      throw new P7appsError(`cannot read the plan ${file}: it is ${NOT_A_REGULAR_FILE}`, { hint: 'Pass a file written by "p7apps plan --out FILE".' });
    }
    const code = (err as NodeJS.ErrnoException).code;
    throw new P7appsError(`cannot read the plan ${file}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`, {
      hint: 'Save a plan with "p7apps plan --out FILE" first.',
    });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    // The parser's message quotes the file: on one line, so that the file cannot write lines of its own.
    throw new P7appsError(escapeUnsafe(`${file} is not JSON (${(err as Error).message})`), { hint: 'Pass a file written by "p7apps plan --out FILE".' });
  }
  return { file, plan: planFromDocument(document, file) };
}
