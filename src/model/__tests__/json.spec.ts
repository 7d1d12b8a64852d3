/**
 * The JSON module against Python's `json`: the fixtures were written by
 * Python 3 (`json.dumps(value, indent=4, sort_keys=True, ensure_ascii=...)`
 * plus a newline; floats.json is `json.dumps(list_of_random_floats)`).
 */
import * as fs from 'fs';
import * as path from 'path';

import {
  clone,
  compareCodePoints,
  formatFloat,
  formatString,
  isAscii,
  JSONParseError,
  parse,
  PyFloat,
  stringify
} from '../json';

const fixtures = path.join(__dirname, 'fixtures');
const read = (name: string): string => fs.readFileSync(path.join(fixtures, name), 'utf-8');
const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'quickstart.orchest');

function roundTrip(text: string): string {
  return stringify(parse(text), { ensureAscii: isAscii(text) }) + '\n';
}

describe('round trips byte for byte', () => {
  it('keeps examples/quickstart.orchest', () => {
    const text = fs.readFileSync(EXAMPLE, 'utf-8');
    expect(roundTrip(text)).toBe(text);
  });

  it('keeps unknown fields, escapes, numbers of an ASCII file', () => {
    const text = read('unknown-fields-ascii.orchest');
    expect(isAscii(text)).toBe(true);
    expect(roundTrip(text)).toBe(text);
  });

  it('keeps the non-ASCII text of a file that had some', () => {
    const text = read('unknown-fields-unicode.orchest');
    expect(isAscii(text)).toBe(false);
    expect(text).toContain('Créer');
    expect(roundTrip(text)).toBe(text);
  });

  it('writes the same value as ASCII or not, as Python does', () => {
    const ascii = read('unknown-fields-ascii.orchest');
    const unicode = read('unknown-fields-unicode.orchest');
    expect(stringify(parse(ascii), { ensureAscii: false }) + '\n').toBe(unicode);
    expect(stringify(parse(unicode), { ensureAscii: true }) + '\n').toBe(ascii);
  });

  it('normalizes a hand-written file like Python', () => {
    const text = read('messy-input.json');
    expect(roundTrip(text)).toBe(read('messy-expected.orchest'));
  });

  it('writes 7000 random floats as Python repr does', () => {
    const text = read('floats.json');
    expect(stringify(parse(text), { indent: null })).toBe(text);
  });
});

describe('numbers', () => {
  it.each([
    [100, '100.0'],
    [-0, '-0.0'],
    [0, '0.0'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [1.5e300, '1.5e+300'],
    [0.1, '0.1'],
    [-2.5e-7, '-2.5e-07'],
    [123.456, '123.456'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity']
  ])('formatFloat(%p) is %p', (value, expected) => {
    expect(formatFloat(value)).toBe(expected);
  });

  it('tells integers from floats', () => {
    const value = parse('[1, 1.0, -0, -0.0, 1e2, 12345678901234567890]') as unknown[];
    expect(value[0]).toBe(1);
    expect(value[1]).toBeInstanceOf(PyFloat);
    expect(value[2]).toBe(0);
    expect(Object.is((value[3] as PyFloat).value, -0)).toBe(true);
    expect(value[4]).toEqual(new PyFloat(100));
    expect(value[5]).toBe(BigInt('12345678901234567890'));
    expect(stringify(value as any, { indent: null })).toBe(
      '[1, 1.0, 0, -0.0, 100.0, 12345678901234567890]'
    );
  });

  it('writes whole JavaScript numbers as integers', () => {
    expect(stringify([3, 2.5, -0], { indent: null })).toBe('[3, 2.5, 0]');
  });
});

describe('strings', () => {
  it('escapes like ensure_ascii=True', () => {
    expect(formatString('é\u007f\u0001"\\/😀\t', true)).toBe(
      '"\\u00e9\\u007f\\u0001\\"\\\\/\\ud83d\\ude00\\t"'
    );
  });

  it('keeps non-ASCII text with ensure_ascii=False', () => {
    expect(formatString('é\u007f\u0001"😀\n', false)).toBe('"é\u007f\\u0001\\"😀\\n"');
  });

  it('sorts keys by code point', () => {
    const keys = ['\uffff', '😀', 'b', 'a', 'B', 'é'];
    expect([...keys].sort(compareCodePoints)).toEqual(['B', 'a', 'b', 'é', '\uffff', '😀']);
  });
});

describe('parsing', () => {
  it('keeps the last of duplicate keys', () => {
    expect(parse('{"a": 1, "a": 2}')).toEqual({ a: 2 });
  });

  it('keeps a __proto__ key as data', () => {
    const value = parse('{"__proto__": {"x": 1}}') as any;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(stringify(value, { indent: null })).toBe('{"__proto__": {"x": 1}}');
    expect(Object.keys(clone(value))).toEqual(['__proto__']);
  });

  it.each([
    ['{"a": 1,}', 'Expecting property name'],
    ['[1 2]', "Expecting ',' delimiter"],
    ['{"a": 1} x', 'Extra data'],
    ['"tab\there"', 'Invalid control character'],
    ['', 'Expecting value'],
    ['\ufeff{}', 'BOM'],
    ['01', 'Extra data']
  ])('refuses %p', (text, message) => {
    expect(() => parse(text)).toThrow(JSONParseError);
    expect(() => parse(text)).toThrow(message);
  });

  it('says where the problem is', () => {
    try {
      parse('{\n  "a": ?\n}');
      fail('no error');
    } catch (error) {
      expect((error as JSONParseError).line).toBe(2);
      expect((error as JSONParseError).column).toBe(8);
    }
  });
});
