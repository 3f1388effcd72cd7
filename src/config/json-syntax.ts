// Finds where a JSON text stops being JSON, so a broken .json config is
// reported as file:line:column with a plain message (JSON.parse gives a bare
// offset at best, and sometimes echoes a piece of the file); and a key given
// twice in one object, which JSON.parse resolves silently to the last one.

export interface JsonSyntaxProblem {
  line: number;
  column: number;
  message: string;
}

class Stop extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/** Only call on text JSON.parse rejected; returns where and why. */
export function locateJsonSyntaxError(text: string): JsonSyntaxProblem {
  return scan(text, false) ?? { ...position(text, text.length), message: 'invalid JSON' };
}

/**
 * In text JSON.parse accepted (giving `parsed`), the first key given twice in
 * one object, in the whole text or only in the value of the top-level key
 * `within`: a second `"apps"` in a diff would silently replace the first
 * (YAML configs refuse the same). Undefined when there is none, or the
 * nesting is too deep to walk.
 */
export function locateDuplicateKey(text: string, parsed: unknown, within?: string): JsonSyntaxProblem | undefined {
  // No key dropped anywhere: none inside `within` either.
  if (noKeyDropped(text, parsed)) return undefined;
  return scan(text, within ?? true);
}

/**
 * Whether `parsed` (JSON.parse of `text`) kept every key `text` writes: the
 * walk below costs tens of milliseconds for a catalog of a thousand apps,
 * two native searches a few. Each key ends in a quote and a colon, and so
 * may a string holding `\":`; JSON.stringify writes the same strings back,
 * so the two counts differ exactly when a key given twice was dropped.
 */
function noKeyDropped(text: string, parsed: unknown): boolean {
  const keyEnds = (json: string) => json.match(/"\s*:/g)?.length ?? 0;
  try {
    return keyEnds(text) === keyEnds(JSON.stringify(parsed));
  } catch {
    return false; // Nested too deeply to write back: the walk says what it can.
  }
}

/**
 * `duplicates`: false, true (every object), or the one top-level key whose
 * value is checked (package.json's "p7apps": the rest is npm's).
 */
function scan(text: string, duplicates: boolean | string): JsonSyntaxProblem | undefined {
  let at = 0;
  let depth = 0;
  let checking = duplicates === true;
  const stop = (message: string): never => {
    throw new Stop(at, message);
  };
  const skipWhitespace = () => {
    while (at < text.length && WHITESPACE.has(text[at]!)) at++;
  };
  const expectString = () => {
    at++;
    for (;;) {
      const c = text[at];
      if (c === undefined) stop('unterminated string');
      if (c === '"') {
        at++;
        return;
      }
      if (c! < ' ') stop('a control character (such as a line break) inside a string must be escaped');
      if (c === '\\') {
        const escape = text[at + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) stop('invalid \\u escape in a string');
          at += 6;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) at += 2;
        else stop('invalid escape in a string');
      } else at++;
    }
  };
  const expectValue = (): void => {
    skipWhitespace();
    const c = text[at];
    if (c === undefined) stop('unexpected end of file');
    if (c === '{') {
      const only = typeof duplicates === 'string' && depth === 0 && !checking ? duplicates : undefined;
      const keys = checking || only !== undefined ? new Map<string, number>() : undefined;
      depth += 1;
      expectContainer('}', () => {
        if (text[at] !== '"') stop('expected a property name in double quotes');
        const start = at;
        expectString();
        const key = keys === undefined ? undefined : (JSON.parse(text.slice(start, at)) as string);
        if (keys !== undefined && key !== undefined && (only === undefined || key === only)) {
          const first = keys.get(key);
          if (first !== undefined) {
            at = start;
            stop(`the key ${JSON.stringify(key)} is given twice in one object (first at line ${position(text, first).line}); JSON keeps only the last, so remove one`);
          }
          keys.set(key, start);
        }
        skipWhitespace();
        if (text[at] !== ':') stop("expected ':' after the property name");
        at++;
        const was = checking;
        if (only !== undefined && key === only) checking = true;
        expectValue();
        checking = was;
      });
      depth -= 1;
      return;
    }
    if (c === '[') return expectContainer(']', expectValue);
    if (c === '"') return expectString();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, at)) {
        at += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = at;
    if (NUMBER.test(text)) {
      at = NUMBER.lastIndex;
      return;
    }
    stop(`unexpected character ${JSON.stringify(c)}`);
  };
  const expectContainer = (close: string, expectEntry: () => void) => {
    at++;
    skipWhitespace();
    if (text[at] === close) {
      at++;
      return;
    }
    for (;;) {
      skipWhitespace();
      expectEntry();
      skipWhitespace();
      if (text[at] === ',') {
        const comma = at;
        at++;
        skipWhitespace();
        if (text[at] === close) {
          at = comma;
          stop(`a trailing comma before '${close}' is not allowed in JSON`);
        }
        continue;
      }
      if (text[at] === close) {
        at++;
        return;
      }
      stop(text[at] === undefined ? 'unexpected end of file' : `expected ',' or '${close}'`);
    }
  };

  try {
    expectValue();
    skipWhitespace();
    if (at < text.length) stop('unexpected text after the end of the JSON value');
    return undefined;
  } catch (err) {
    if (err instanceof Stop) return { ...position(text, err.offset), message: err.message };
    if (err instanceof RangeError) return duplicates ? undefined : { line: 1, column: 1, message: 'nested too deeply' };
    throw err;
  }
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
