/**
 * Reading JSON text as Python's `json.loads` does, with its error messages.
 */

import { JSONObject, JSONValue, PyFloat, setKey } from './values';

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
