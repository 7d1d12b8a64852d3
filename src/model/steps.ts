/**
 * Steps in the document: reading them into views, making new ones, and the
 * small helpers the edits share.
 */

import { clone, isObject, JSONObject, JSONValue, setKey, toNumber } from './json';

/**
 * The kernel of a step whose environment is not known (Orchest's default).
 */
export const DEFAULT_KERNEL = { name: 'python', display_name: 'Python 3' };

/**
 * What the model knows of an environment of the pipeline's project.
 */
export interface IProjectEnvironment {
  readonly uuid: string;
  readonly name: string;
  readonly language: string;
}

/**
 * A step's kernel as Orchest writes it: its environment's language (`python`,
 * `r`, `julia`, `javascript`…) shown with the environment's name.
 */
export function stepKernel(environment: IProjectEnvironment | undefined): { name: string; display_name: string } {
  return {
    name: environment?.language || DEFAULT_KERNEL.name,
    display_name: environment?.name || DEFAULT_KERNEL.display_name
  };
}

/**
 * A step as the editor shows it, read from the document.
 */
export interface IStepView {
  readonly uuid: string;
  readonly title: string;
  readonly filePath: string;
  readonly incoming: readonly string[];
  readonly environment: string;
  /** `null` when the step has no (valid) position. */
  readonly position: readonly [number, number] | null;
  readonly parameters: JSONObject;
  readonly hidden: boolean;
  /** The step object in the document (do not mutate). */
  readonly raw: JSONObject;
}

/**
 * What a new step starts with; everything is optional.
 */
export interface IStepInit {
  title?: string;
  filePath?: string;
  position?: [number, number];
  environment?: string;
  parameters?: JSONObject;
  kernel?: { name: string; display_name: string };
  incoming?: string[];
}

/**
 * The view of the step stored under `key`.
 */
export function stepView(key: string, raw: JSONObject): IStepView {
  const meta = isObject(raw.meta_data) ? raw.meta_data : {};
  return {
    uuid: key,
    title: typeof raw.title === 'string' ? raw.title : '',
    filePath: typeof raw.file_path === 'string' ? raw.file_path : '',
    incoming: incomingOf(raw),
    environment: typeof raw.environment === 'string' ? raw.environment : '',
    position: positionOf(raw),
    parameters: isObject(raw.parameters) ? raw.parameters : {},
    hidden: meta.hidden === true,
    raw
  };
}

/**
 * A new step object: `defaultEnvironment` is asked only when `init` has no
 * environment, its kernel is that environment's (`environmentOf`) unless
 * `init` has one, and incoming steps for which `exists` is false are dropped.
 */
export function newStep(
  uuid: string,
  init: IStepInit,
  defaultEnvironment: () => string,
  environmentOf: (uuid: string) => IProjectEnvironment | undefined,
  exists: (uuid: string) => boolean
): JSONObject {
  const environment = init.environment ?? defaultEnvironment();
  return {
    environment,
    file_path: init.filePath ?? '',
    incoming_connections: [...(init.incoming ?? [])].filter(exists),
    kernel: { ...(init.kernel ?? stepKernel(environmentOf(environment))) },
    meta_data: {
      hidden: false,
      position: init.position ? [round(init.position[0]), round(init.position[1])] : [0, 0]
    },
    parameters: init.parameters ? clone(init.parameters) : {},
    title: init.title ?? '',
    uuid
  };
}

/**
 * The steps object of a draft document (the model's edits make sure it is
 * one).
 */
export function stepsOf(doc: JSONObject): JSONObject {
  return doc.steps as JSONObject;
}

/**
 * The uuids a step's `incoming_connections` lists (strings only).
 */
export function incomingOf(step: JSONObject): string[] {
  const incoming = step.incoming_connections;
  return Array.isArray(incoming) ? incoming.filter((s): s is string => typeof s === 'string') : [];
}

/**
 * A step's position, or null when it has no valid one.
 */
export function positionOf(step: JSONObject): [number, number] | null {
  const meta = step.meta_data;
  const position = isObject(meta) ? meta.position : undefined;
  if (!Array.isArray(position) || position.length !== 2) {
    return null;
  }
  const [x, y] = position.map(toNumber);
  return x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y) ? [x, y] : null;
}

/**
 * Set each key of `patch` on `target`, or remove it when its value is
 * `undefined`; `protectedKeys` are left alone.
 */
export function applyPatch(
  target: JSONObject,
  patch: { [key: string]: JSONValue | undefined },
  protectedKeys: string[]
): void {
  for (const [key, value] of Object.entries(patch)) {
    if (protectedKeys.includes(key)) {
      continue;
    }
    if (value === undefined) {
      delete target[key];
    } else {
      setKey(target, key, clone(value));
    }
  }
}

/**
 * Positions are stored as whole numbers: files stay tidy and diffs small.
 */
export function round(n: number): number {
  return Math.round(n);
}
