/**
 * Environment variables as rows of names and values, checked as the server
 * checks them (shell names, not ORCHEST_*, each once). Pure.
 */

import type { IEnvVariables } from '../api/envvars';

/** The part of a translation bundle these checks use. */
interface ITranslate {
  __(msgid: string, ...args: unknown[]): string;
}

/** An environment variable as edited. */
export interface IEnvRow {
  name: string;
  value: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The rows of some variables, in their order. */
export function envRows(variables: IEnvVariables): IEnvRow[] {
  return Object.entries(variables).map(([name, value]) => ({ name, value }));
}

/** The variables of some rows (empty rows left out). */
export function envVariables(rows: readonly IEnvRow[]): IEnvVariables {
  const variables: IEnvVariables = {};
  for (const row of rows) {
    if (row.name.trim() || row.value) {
      variables[row.name.trim()] = row.value;
    }
  }
  return variables;
}

/** What is wrong with the rows, by row index (empty: nothing). */
export function envRowProblems(rows: readonly IEnvRow[], trans: ITranslate): Map<number, string> {
  const problems = new Map<number, string>();
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    const name = row.name.trim();
    if (!name && !row.value) {
      return; // an empty row is left out
    }
    if (!ENV_NAME.test(name)) {
      problems.set(index, trans.__('"%1" is not a variable name (letters, digits and _, not first a digit).', name));
    } else if (name.startsWith('ORCHEST_')) {
      problems.set(index, trans.__('Names starting with ORCHEST_ are reserved.'));
    } else if (seen.has(name)) {
      problems.set(index, trans.__('"%1" is given twice.', name));
    }
    seen.add(name);
  });
  return problems;
}
