/**
 * Writing JSON text as Python's `json.dumps` does: key order, number and
 * string formats, `ensure_ascii` escapes.
 */

import { formatFloat, isObject, JSONObject, JSONValue, PyFloat } from './values';

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
