/**
 * JSON values as the JSON module holds them: plain JavaScript values, except
 * for two kinds of numbers. Integers too large for a double are `bigint`s,
 * and floats whose value is a whole number (or infinite or NaN) are
 * `PyFloat`s, so that `100.0` stays `100.0`. Any other `number` is written as
 * an integer when it is whole, as a float otherwise. `formatFloat` (a
 * float's Python `repr`) is here because `PyFloat` prints with it.
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
