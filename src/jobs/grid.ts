/**
 * The parameter grid of a job as the grid editor edits it: one list of
 * values per parameter (of the pipeline and of each step), written as a JSON
 * list or one value per row, and the server's problems mapped back to the
 * parameters through their JSON pointers. Pure: no React, no server.
 */

import { JobGrid, JobParameters } from '../api';

/** The grid's key of the pipeline's own parameters. */
export const PIPELINE_KEY = 'pipeline_parameters';

/** How the values of a parameter are edited. */
export type ValuesMode = 'rows' | 'json';

/**
 * One parameter of the grid (an axis of the Cartesian product).
 */
export interface IAxis {
  /** `pipeline_parameters` or a step uuid. */
  owner: string;
  name: string;
  mode: ValuesMode;
  /** The values, one text per row (rows mode). */
  rows: string[];
  /** The JSON list as typed (json mode). */
  text: string;
}

/**
 * The axes of a grid, in the grid's order (the server's canonical order:
 * the pipeline's parameters, then each step's).
 */
export function axesOf(grid: JobGrid): IAxis[] {
  const axes: IAxis[] = [];
  for (const [owner, names] of Object.entries(grid)) {
    for (const [name, values] of Object.entries(names)) {
      const list = Array.isArray(values) ? values : [values];
      axes.push({ owner, name, mode: 'rows', rows: list.map(formatRow), text: formatList(list) });
    }
  }
  return axes;
}

/**
 * A row's text as a value: JSON when it reads as JSON (`42`, `true`,
 * `"42"`, `[1, 2]`), else the text itself as a string.
 */
export function parseRow(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
}

/**
 * A value as a row's text; the inverse of `parseRow` (a string that would
 * read as something else is quoted).
 */
export function formatRow(value: unknown): string {
  if (typeof value === 'string' && parseRow(value) === value) {
    return value;
  }
  return JSON.stringify(value);
}

/** A list of values as the JSON text of the json mode. */
export function formatList(values: unknown[]): string {
  return JSON.stringify(values);
}

/**
 * The values of an axis as they go to the server, or the reason they cannot:
 * rows that are blank are left out; in json mode the text must be JSON (any
 * JSON: a value that is not a list goes to the server, which says why it is
 * refused).
 */
export function axisValues(axis: IAxis): { value: unknown } | { error: string } {
  if (axis.mode === 'rows') {
    return { value: axis.rows.filter(row => row.trim() !== '').map(parseRow) };
  }
  try {
    return { value: JSON.parse(axis.text) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * Switch an axis between rows and json, carrying its values over (an axis
 * whose JSON text does not read, or is not a list, stays as it is).
 */
export function switchMode(axis: IAxis, mode: ValuesMode): IAxis {
  if (mode === axis.mode) {
    return axis;
  }
  const values = axisValues(axis);
  if ('error' in values || !Array.isArray(values.value)) {
    return axis;
  }
  return mode === 'json'
    ? { ...axis, mode, text: formatList(values.value) }
    : { ...axis, mode, rows: values.value.map(formatRow) };
}

/**
 * The grid of the axes, or the axes whose text cannot be read (by
 * `parameterKey`).
 */
export function gridOf(axes: IAxis[]): { grid: JobGrid } | { errors: Map<string, string> } {
  const grid: JobGrid = {};
  const errors = new Map<string, string>();
  for (const axis of axes) {
    const values = axisValues(axis);
    if ('error' in values) {
      errors.set(parameterKey(axis.owner, axis.name), values.error);
    } else {
      (grid[axis.owner] ??= {})[axis.name] = values.value;
    }
  }
  return errors.size ? { errors } : { grid };
}

/**
 * The number of combinations of a grid (the product of its lists' lengths;
 * 1 for a grid without parameters), or null when a list is not a list.
 */
export function gridSize(grid: JobGrid): number | null {
  let size = 1;
  for (const names of Object.values(grid)) {
    for (const values of Object.values(names)) {
      if (!Array.isArray(values)) {
        return null;
      }
      size *= values.length;
    }
  }
  return size;
}

/** The runs a grid makes once some combinations are deselected. */
export function runCount(grid: JobGrid, deselected: readonly number[]): number | null {
  const size = gridSize(grid);
  if (size === null) {
    return null;
  }
  return size - new Set(deselected.filter(i => i >= 0 && i < size)).size;
}

/** The key of a parameter in maps of problems. */
export function parameterKey(owner: string, name: string): string {
  return JSON.stringify([owner, name]);
}

/** The tokens of a JSON pointer (RFC 6901); [] for "" (the whole document). */
export function parsePointer(pointer: string): string[] {
  if (!pointer) {
    return [];
  }
  return pointer
    .split('/')
    .slice(1)
    .map(token => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The server's problems with a grid, where the grid editor shows them: next
 * to a parameter (`/owner/name`), next to a step or the pipeline (`/owner`),
 * or above the grid (no pointer).
 */
export interface IGridProblems {
  general: string[];
  byOwner: Map<string, string[]>;
  byParameter: Map<string, string[]>;
}

/**
 * Sort the problems of a refused grid by where they point. `errors` is the
 * error answer's list (`[{"pointer", "message"}]`); when it names nothing,
 * the answer's `message` is the one problem.
 */
export function sortProblems(message: string, errors: readonly unknown[]): IGridProblems {
  const problems: IGridProblems = { general: [], byOwner: new Map(), byParameter: new Map() };
  const add = (map: Map<string, string[]>, key: string, text: string): void => {
    map.set(key, [...(map.get(key) ?? []), text]);
  };
  for (const error of errors) {
    if (!error || typeof error !== 'object') {
      continue;
    }
    const { pointer, message: text } = error as { pointer?: unknown; message?: unknown };
    if (typeof text !== 'string') {
      continue;
    }
    const tokens = typeof pointer === 'string' ? parsePointer(pointer) : [];
    if (tokens.length >= 2) {
      add(problems.byParameter, parameterKey(tokens[0], tokens[1]), text);
    } else if (tokens.length === 1) {
      add(problems.byOwner, tokens[0], text);
    } else {
      problems.general.push(text);
    }
  }
  if (!problems.general.length && !problems.byOwner.size && !problems.byParameter.size && message) {
    problems.general.push(message);
  }
  return problems;
}

/**
 * The titles of the owners of parameters: the pipeline's name for
 * `pipeline_parameters`, each step's title for its uuid.
 */
export function ownerTitles(pipeline: { [key: string]: unknown } | null, pipelineTitle: string): Map<string, string> {
  const titles = new Map<string, string>([[PIPELINE_KEY, pipelineTitle]]);
  const steps = (pipeline?.steps ?? {}) as { [uuid: string]: { title?: unknown } };
  for (const [uuid, step] of Object.entries(steps)) {
    titles.set(uuid, typeof step?.title === 'string' && step.title ? step.title : uuid);
  }
  return titles;
}

/**
 * A combination (a run's parameters) in a line: `name=value` pairs, each
 * step's prefixed with its title when the name alone is ambiguous.
 */
export function describeParameters(parameters: JobParameters, titles: Map<string, string>): string {
  const names = new Map<string, number>();
  for (const values of Object.values(parameters)) {
    for (const name of Object.keys(values ?? {})) {
      names.set(name, (names.get(name) ?? 0) + 1);
    }
  }
  const parts: string[] = [];
  for (const [owner, values] of Object.entries(parameters)) {
    for (const [name, value] of Object.entries(values ?? {})) {
      const label = (names.get(name) ?? 0) > 1 ? `${titles.get(owner) ?? owner}.${name}` : name;
      parts.push(`${label}=${JSON.stringify(value)}`);
    }
  }
  return parts.join(', ');
}
