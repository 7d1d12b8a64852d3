/**
 * A step's retries and timeout, under the step's `orchest_jlab` key (a key
 * Orchest keeps and ignores; the server's schema checks the same rules).
 */

import { isObject, JSONObject } from './json';

/** The step's key holding orchest-jlab's settings. */
export const STEP_SETTINGS = 'orchest_jlab';

export type PolicyField = 'retries' | 'retry_delay' | 'timeout';

/** What is wrong with a value typed for a field. */
export type PolicyProblem = 'whole' | 'number' | 'positive' | 'too-large';

const LIMITS: { [K in PolicyField]: number } = { retries: 100, retry_delay: 86400, timeout: 604800 };

/** The field's value in a step (undefined: not set). */
export function policyValue(step: JSONObject, field: PolicyField): number | undefined {
  const settings = step[STEP_SETTINGS];
  const value = isObject(settings) ? settings[field] : undefined;
  return typeof value === 'number' ? value : undefined;
}

/**
 * The value a text means for a field: a number, undefined for an empty text
 * (not set), or what is wrong with it.
 */
export function parsePolicy(field: PolicyField, text: string): { value: number | undefined } | { problem: PolicyProblem } {
  const trimmed = text.trim();
  if (!trimmed) {
    return { value: undefined };
  }
  const n = Number(trimmed);
  if (!Number.isFinite(n)) {
    return { problem: field === 'retries' ? 'whole' : 'number' };
  }
  if (field === 'retries' && (!Number.isInteger(n) || n < 0)) {
    return { problem: 'whole' };
  }
  if ((field === 'timeout' && n <= 0) || n < 0) {
    return { problem: field === 'timeout' ? 'positive' : 'number' };
  }
  if (n > LIMITS[field]) {
    return { problem: 'too-large' };
  }
  return { value: n };
}

/** The largest value a field takes. */
export function policyLimit(field: PolicyField): number {
  return LIMITS[field];
}

/**
 * The step's `orchest_jlab` object with one field changed; undefined (the key
 * removed) when nothing is left in it.
 */
export function withPolicy(step: JSONObject, field: PolicyField, value: number | undefined): JSONObject | undefined {
  const current = isObject(step[STEP_SETTINGS]) ? (step[STEP_SETTINGS] as JSONObject) : {};
  const next: JSONObject = { ...current };
  if (value === undefined) {
    delete next[field];
  } else {
    next[field] = value;
  }
  return Object.keys(next).length ? next : undefined;
}
