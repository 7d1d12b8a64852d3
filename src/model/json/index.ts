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
 * `values.ts` holds the value types and helpers, `dump.ts` the writer,
 * `parse.ts` the reader.
 */
export * from './dump';
export * from './parse';
export * from './values';
