/**
 * Copies of steps: the clipboard text `copy` writes and `paste` reads, and
 * inserting copies (pasted or duplicated) with new uuids.
 */

import { clone, isObject, JSONObject, JSONValue, parse, setKey, stringify } from './json';
import { incomingOf, positionOf, round } from './steps';
import { uuid4 } from './uuid';

/**
 * The kind of clipboard text `copy` writes.
 */
export const CLIPBOARD_KIND = 'orchest-jlab/steps';

/**
 * Clipboard text holding steps (the document's objects).
 */
export function clipboardText(steps: JSONObject[]): string {
  return stringify({ kind: CLIPBOARD_KIND, steps }, { indent: null, sortKeys: false });
}

/**
 * Copies of the steps of clipboard text, or null when it holds none.
 */
export function readClipboard(text: string): JSONObject[] | null {
  let value: JSONValue;
  try {
    value = parse(text);
  } catch {
    return null;
  }
  if (!isObject(value) || value.kind !== CLIPBOARD_KIND || !Array.isArray(value.steps)) {
    return null;
  }
  const steps = value.steps.filter(isObject).map(s => clone(s));
  return steps.length ? steps : null;
}

/**
 * Insert copies of steps into `target` (a draft's steps object), changing
 * them in place: new uuids, connections among them mapped, those to steps of
 * `target` kept, others dropped; titles renamed, positions moved by `offset`,
 * missing fields taken from `defaults`. Returns the new uuids, in order.
 */
export function insertCopies(
  target: JSONObject,
  copies: JSONObject[],
  offset: [number, number],
  rename: (title: string) => string,
  defaults: (uuid: string) => JSONObject
): string[] {
  const mapping = new Map<string, string>();
  for (const step of copies) {
    if (typeof step.uuid === 'string') {
      mapping.set(step.uuid, uuid4());
    }
  }
  const created: string[] = [];
  for (const step of copies) {
    const uuid = (typeof step.uuid === 'string' && mapping.get(step.uuid)) || uuid4();
    step.uuid = uuid;
    if (typeof step.title === 'string') {
      step.title = rename(step.title);
    }
    step.incoming_connections = incomingOf(step)
      .map(s => mapping.get(s) ?? s)
      .filter(s => [...mapping.values()].includes(s) || s in target);
    const position = positionOf(step);
    const meta = isObject(step.meta_data) ? step.meta_data : { hidden: false };
    meta.position = position
      ? [round(position[0] + offset[0]), round(position[1] + offset[1])]
      : [round(offset[0]), round(offset[1])];
    step.meta_data = meta;
    for (const field of ['environment', 'parameters', 'kernel', 'file_path'] as const) {
      if (step[field] === undefined) {
        step[field] = defaults(uuid)[field];
      }
    }
    setKey(target, uuid, step);
    created.push(uuid);
  }
  return created;
}
