// Finds where a JSON text stops being JSON, so a broken .json config is
// reported as file:line:column with a plain message (JSON.parse gives a bare
// offset at best, and sometimes echoes a piece of the file).

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
  let at = 0;
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
    if (c === '{') return expectContainer('}', () => {
      if (text[at] !== '"') stop('expected a property name in double quotes');
      expectString();
      skipWhitespace();
      if (text[at] !== ':') stop("expected ':' after the property name");
      at++;
      expectValue();
    });
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
    return { ...position(text, at), message: 'invalid JSON' };
  } catch (err) {
    if (err instanceof Stop) return { ...position(text, err.offset), message: err.message };
    if (err instanceof RangeError) return { line: 1, column: 1, message: 'nested too deeply' };
    throw err;
  }
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
