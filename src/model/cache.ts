/**
 * The step cache's settings: a step's (`orchest_jlab.cache`: false to opt
 * out, or `{reads: [glob, …]}`) and the pipeline's
 * (`settings.orchest_jlab.cache: true`); keys Orchest keeps and ignores.
 */

import { isObject, JSONObject } from './json';
import { STEP_SETTINGS } from './policy';

/** A step's cache settings as the properties panel edits them. */
export interface IStepCache {
  /** False: the step always runs (side effects). */
  enabled: boolean;
  /** Glob patterns of files it reads, relative to its file's folder. */
  reads: string[];
}

/** The step's cache settings (enabled, reading nothing, when not set). */
export function stepCache(step: JSONObject): IStepCache {
  const settings = step[STEP_SETTINGS];
  const cache = isObject(settings) ? settings.cache : undefined;
  if (cache === false) {
    return { enabled: false, reads: [] };
  }
  const reads = isObject(cache) && Array.isArray(cache.reads) ? cache.reads : [];
  return {
    enabled: !(isObject(cache) && cache.enabled === false),
    reads: reads.filter((r): r is string => typeof r === 'string' && r !== '')
  };
}

/**
 * The step's `orchest_jlab` object with these cache settings; undefined (the
 * key removed) when nothing is left in it.
 */
export function withStepCache(step: JSONObject, cache: IStepCache): JSONObject | undefined {
  const current = isObject(step[STEP_SETTINGS]) ? (step[STEP_SETTINGS] as JSONObject) : {};
  const next: JSONObject = { ...current };
  const reads = cache.reads.map(r => r.trim()).filter(Boolean);
  if (!cache.enabled) {
    next.cache = false;
  } else if (reads.length) {
    next.cache = { reads };
  } else {
    delete next.cache;
  }
  return Object.keys(next).length ? next : undefined;
}

/** Whether every run of the pipeline uses the step cache (its settings). */
export function pipelineCaches(settings: JSONObject): boolean {
  const own = settings[STEP_SETTINGS];
  return isObject(own) && own.cache === true;
}

/** The pipeline's settings with its cache setting changed. */
export function withPipelineCache(settings: JSONObject, on: boolean): JSONObject {
  const own: JSONObject = isObject(settings[STEP_SETTINGS]) ? { ...(settings[STEP_SETTINGS] as JSONObject) } : {};
  if (on) {
    own.cache = true;
  } else {
    delete own.cache;
  }
  const next: JSONObject = { ...settings };
  if (Object.keys(own).length) {
    next[STEP_SETTINGS] = own;
  } else {
    delete next[STEP_SETTINGS];
  }
  return next;
}
