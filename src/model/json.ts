/**
 * JSON exactly as Python's `json` module reads and writes it.
 *
 * The server writes `.orchest` files with
 * `json.dumps(data, indent=4, sort_keys=True, ensure_ascii=...) + "\n"`, where
 * `ensure_ascii` is true unless the file already held non-ASCII text. For the
 * editor to save a file that the server (and Orchest) would have written byte
 * for byte, this module mirrors Python's behaviour where JavaScript's `JSON`
 * differs:
 *
 * - numbers: Python tells integers (`1`) from floats (`1.0`), keeps integers of
 *   any size, and writes floats with `repr` (`1e-05`, `1e+16`, `100.0`);
 * - strings: with `ensure_ascii`, every character outside printable ASCII is
 *   written `\uXXXX` with lower-case hex digits (surrogate pairs above U+FFFF);
 * - keys are sorted by code point (JavaScript's sort compares UTF-16 units);
 * - `NaN`, `Infinity` and `-Infinity` are read and written as Python does.
 *
 * Values are plain JavaScript values, except for two kinds of numbers:
 * integers too large for a double are `bigint`s, and floats whose value is a
 * whole number (or infinite or NaN) are `PyFloat`s, so that `100.0` stays
 * `100.0`. Any other `number` is written as an integer when it is whole, as a
 * float otherwise.
 */

/**
 * A float whose value alone would be written as an integer (`100.0`, `-0.0`,
 * `1e+16`), or `NaN` / `Infinity`.
 */
export class PyFloat {
  constructor(readonly value: number) {}

  valueOf(): number {
    return this.value;
  }

  toString(): string {
    return formatFloat(this.value);
  }
}

/**
 * A JSON value as this module reads it.
 */
export type JSONValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyFloat
  | JSONValue[]
  | JSONObject;

/**
 * A JSON object.
 */
export interface JSONObject {
  [key: string]: JSONValue;
}

/**
 * The text is not JSON (as Python's `json.loads` sees it).
 */
export class JSONParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number
  ) {
    super(`${message} at line ${line}, column ${column}`);
    this.name = 'JSONParseError';
  }
}

/**
 * Whether a value is a JSON object (not an array, not null, not a PyFloat).
 */
export function isObject(value: unknown): value is JSONObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof PyFloat)
  );
}

/**
 * The numeric value of a JSON number (a `number`, `bigint` or `PyFloat`), or
 * `undefined` for anything else.
 */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return value;
  }
  if (value instanceof PyFloat) {
    return value.value;
  }
  if (typeof value === 'bigint') {
    return Number(value);
  }
  return undefined;
}

/**
 * Whether text is pure ASCII: Python's `str.isascii()`.
 */
export function isAscii(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text);
}

/**
 * A deep copy of a JSON value (`PyFloat`s are immutable and shared).
 */
export function clone<T extends JSONValue>(value: T): T {
  if (Array.isArray(value)) {
    return value.map(v => clone(v)) as T;
  }
  if (isObject(value)) {
    const copy: JSONObject = {};
    for (const key of Object.keys(value)) {
      setKey(copy, key, clone(value[key]));
    }
    return copy as T;
  }
  return value;
}

/**
 * Set a key on an object, also when the key is `__proto__`.
 */
export function setKey(obj: JSONObject, key: string, value: JSONValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true
    });
  } else {
    obj[key] = value;
  }
}

/**
 * Compare two strings by code point, as Python sorts `str`s.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Below U+D800 and from U+E000 on, UTF-16 units order like code points;
      // a surrogate (a code point above U+FFFF) sorts after every BMP unit.
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) {
        return xs ? 1 : -1;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

// ---------------------------------------------------------------- writing

/**
 * A float as Python's `repr` writes it: the shortest text that reads back as
 * the same double, in exponent form below 1e-4 and from 1e16 on.
 */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) {
    return 'NaN';
  }
  if (x === Infinity) {
    return 'Infinity';
  }
  if (x === -Infinity) {
    return '-Infinity';
  }
  if (x === 0) {
    return Object.is(x, -0) ? '-0.0' : '0.0';
  }
  // toExponential() without digits gives the shortest round-trip digits.
  const [mantissa, exponentText] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = parseInt(exponentText, 10);
  const point = exponent + 1; // digits before the decimal point
  let text: string;
  if (point <= -4 || point > 16) {
    const sign = exponent < 0 ? '-' : '+';
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    const rest = digits.length > 1 ? `.${digits.slice(1)}` : '';
    text = `${digits[0]}${rest}e${sign}${magnitude}`;
  } else if (point <= 0) {
    text = `0.${'0'.repeat(-point)}${digits}`;
  } else if (point >= digits.length) {
    text = `${digits}${'0'.repeat(point - digits.length)}.0`;
  } else {
    text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  return x < 0 ? `-${text}` : text;
}

function formatNumber(x: number): string {
  if (Number.isInteger(x)) {
    // A whole number that is not a PyFloat is an integer; Python has no -0.
    return Number.isSafeInteger(x) ? String(x === 0 ? 0 : x) : BigInt(x).toString();
  }
  return formatFloat(x);
}

const SHORT_ESCAPES: { [char: string]: string } = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t'
};

function hex4(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A string as Python's `json.dumps` writes it.
 */
export function formatString(text: string, ensureAscii: boolean): string {
  // eslint-disable-next-line no-control-regex
  const special = ensureAscii ? /[^ -~]|["\\]/g : /[\x00-\x1f"\\]/g;
  // Strings are UTF-16: with ensure_ascii, a character above U+FFFF is a
  // surrogate pair, written as two escapes, as Python does.
  return `"${text.replace(special, c => SHORT_ESCAPES[c] ?? hex4(c.charCodeAt(0)))}"`;
}

/**
 * Options of `stringify`.
 */
export interface IStringifyOptions {
  /**
   * Escape every non-ASCII character (Python's `ensure_ascii`); default true.
   */
  ensureAscii?: boolean;
  /**
   * Spaces per level; `null` writes everything on one line with Python's
   * default separators (`, ` and `: `). Default 4.
   */
  indent?: number | null;
  /**
   * Sort object keys by code point; default true.
   */
  sortKeys?: boolean;
}

/**
 * JSON text exactly as `json.dumps(value, indent=4, sort_keys=True,
 * ensure_ascii=...)` writes it (without the trailing newline).
 */
export function stringify(value: JSONValue, options: IStringifyOptions = {}): string {
  const ensureAscii = options.ensureAscii ?? true;
  const indent = options.indent === undefined ? 4 : options.indent;
  const sortKeys = options.sortKeys ?? true;
  const parts: string[] = [];
  const itemSeparator = indent === null ? ', ' : ',';
  const seen = new Set<unknown>();

  const write = (v: JSONValue, level: number): void => {
    if (v === null) {
      parts.push('null');
    } else if (v === true) {
      parts.push('true');
    } else if (v === false) {
      parts.push('false');
    } else if (typeof v === 'number') {
      parts.push(formatNumber(v));
    } else if (typeof v === 'bigint') {
      parts.push(v.toString());
    } else if (typeof v === 'string') {
      parts.push(formatString(v, ensureAscii));
    } else if (v instanceof PyFloat) {
      parts.push(formatFloat(v.value));
    } else if (Array.isArray(v) || isObject(v)) {
      if (seen.has(v)) {
        throw new TypeError('Circular reference detected');
      }
      const isArray = Array.isArray(v);
      const keys = isArray ? null : Object.keys(v);
      const count = isArray ? v.length : keys!.length;
      const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
      if (count === 0) {
        parts.push(open + close);
        return;
      }
      seen.add(v);
      if (keys && sortKeys) {
        keys.sort(compareCodePoints);
      }
      const inner = indent === null ? '' : '\n' + ' '.repeat(indent * (level + 1));
      const outer = indent === null ? '' : '\n' + ' '.repeat(indent * level);
      parts.push(open);
      for (let i = 0; i < count; i++) {
        if (i > 0) {
          parts.push(itemSeparator);
        }
        parts.push(inner);
        if (isArray) {
          write((v as JSONValue[])[i], level + 1);
        } else {
          const key = keys![i];
          parts.push(formatString(key, ensureAscii), ': ');
          write((v as JSONObject)[key], level + 1);
        }
      }
      parts.push(outer, close);
      seen.delete(v);
    } else {
      throw new TypeError(`Object of type ${typeof v} is not JSON serializable`);
    }
  };
  write(value, 0);
  return parts.join('');
}

// ---------------------------------------------------------------- reading

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;

/**
 * Parse JSON text as Python's `json.loads` does (NaN and Infinity allowed,
 * control characters in strings refused, the last of duplicate keys kept).
 */
export function parse(text: string): JSONValue {
  let i = 0;

  const fail = (message: string, at = i): never => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new JSONParseError(message, line, column);
  };

  const skip = (): void => {
    while (i < text.length && WHITESPACE.has(text[i])) {
      i++;
    }
  };

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let chunk = i;
    for (;;) {
      if (i >= text.length) {
        fail('Unterminated string starting', start);
      }
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(chunk, i);
        i++;
        return out;
      }
      if (c < 0x20) {
        fail('Invalid control character');
      }
      if (c === 0x5c) {
        out += text.slice(chunk, i);
        const e = text[i + 1];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            i += 2;
            break;
          case 'b':
            out += '\b';
            i += 2;
            break;
          case 'f':
            out += '\f';
            i += 2;
            break;
          case 'n':
            out += '\n';
            i += 2;
            break;
          case 'r':
            out += '\r';
            i += 2;
            break;
          case 't':
            out += '\t';
            i += 2;
            break;
          case 'u': {
            const digits = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(digits)) {
              fail('Invalid \\uXXXX escape');
            }
            out += String.fromCharCode(parseInt(digits, 16));
            i += 6;
            break;
          }
          default:
            fail('Invalid \\escape');
        }
        chunk = i;
        continue;
      }
      i++;
    }
  };

  const parseNumber = (): JSONValue => {
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (!match) {
      return fail('Expecting value');
    }
    i += match[0].length;
    if (match[1] === undefined && match[2] === undefined) {
      const n = Number(match[0]);
      return Number.isSafeInteger(n) ? (n === 0 ? 0 : n) : BigInt(match[0]);
    }
    const x = Number(match[0]);
    return Number.isInteger(x) || !Number.isFinite(x) ? new PyFloat(x) : x;
  };

  const parseValue = (depth: number): JSONValue => {
    if (depth > 900) {
      fail('Too deeply nested');
    }
    skip();
    const c = text[i];
    if (c === '"') {
      return parseString();
    }
    if (c === '{') {
      i++;
      const obj: JSONObject = {};
      skip();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        skip();
        if (text[i] !== '"') {
          fail('Expecting property name enclosed in double quotes');
        }
        const key = parseString();
        skip();
        if (text[i] !== ':') {
          fail("Expecting ':' delimiter");
        }
        i++;
        const value = parseValue(depth + 1);
        if (key in obj && Object.prototype.hasOwnProperty.call(obj, key)) {
          delete obj[key];
        }
        setKey(obj, key, value);
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail("Expecting ',' delimiter");
      }
    }
    if (c === '[') {
      i++;
      const arr: JSONValue[] = [];
      skip();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail("Expecting ',' delimiter");
      }
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['NaN', new PyFloat(NaN)],
      ['Infinity', new PyFloat(Infinity)],
      ['-Infinity', new PyFloat(-Infinity)]
    ] as [string, JSONValue][]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    return parseNumber();
  };

  if (text.charCodeAt(0) === 0xfeff) {
    fail('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0);
  }
  const value = parseValue(0);
  skip();
  if (i < text.length) {
    fail('Extra data');
  }
  return value;
}
