/**
 * Orchest's services of a pipeline, the `.orchest` file's `services`: the
 * list as the editor shows it (start order), and the list's edits (a service
 * put under its name, removed, moved in the start order). Pure: no React, no
 * JupyterLab. A service's form: draft.ts; its checks: checks.ts.
 */

import { isObject, JSONObject, JSONValue, toNumber } from '../model';

/** When a service runs: with the interactive session, with non-interactive runs (jobs). */
export type ServiceScope = 'interactive' | 'noninteractive';

export const SCOPES: readonly ServiceScope[] = ['interactive', 'noninteractive'];

/** An image of one of the project's environments: `environment@<uuid>`. */
export const ENVIRONMENT_IMAGE_PREFIX = 'environment@';

/** A service of the document, as the list shows it. */
export interface IServiceView {
  /** Its key in `services` (Orchest keeps it equal to the name). */
  key: string;
  name: string;
  image: string;
  /** Its place in the start order (the file's `order`; services without one last). */
  order: number | null;
  scope: ServiceScope[];
  ports: number[];
  /** The service as stored. */
  service: JSONObject;
}

/** The `services` object of a document ({} when it has none). */
export function servicesObject(doc: JSONObject): JSONObject {
  return isObject(doc.services) ? doc.services : {};
}

export function text(value: JSONValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

export function portsOf(value: JSONValue | undefined): number[] {
  if (!Array.isArray(value)) {
    return [];
  }
  // Orchest's older files may hold ports as strings.
  return value.map(p => (typeof p === 'string' ? Number(p) : toNumber(p))).filter((p): p is number => Number.isInteger(p));
}

export function scopeOf(value: JSONValue | undefined): ServiceScope[] {
  return Array.isArray(value) ? SCOPES.filter(s => value.includes(s)) : [];
}

/** The services of a document in start order (`order`, then key). */
export function servicesOf(doc: JSONObject): IServiceView[] {
  const views = Object.entries(servicesObject(doc))
    .filter((entry): entry is [string, JSONObject] => isObject(entry[1]))
    .map(([key, service]) => {
      const order = toNumber(service.order);
      return {
        key,
        name: typeof service.name === 'string' ? service.name : key,
        image: text(service.image),
        order: order !== undefined && Number.isInteger(order) ? order : null,
        scope: scopeOf(service.scope),
        ports: portsOf(service.ports),
        service
      };
    });
  return views.sort((a, b) => {
    if (a.order !== b.order) {
      return a.order === null ? 1 : b.order === null ? -1 : a.order - b.order;
    }
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
}

/** The order of a service added last. */
export function nextOrder(doc: JSONObject): number {
  const orders = servicesOf(doc)
    .map(s => s.order)
    .filter((o): o is number => o !== null);
  return orders.length ? Math.max(...orders) + 1 : 0;
}

/**
 * `services` with one service put under its name: a new one added, or the
 * one under `previousKey` replaced (moved to its new name when renamed).
 */
export function withService(services: JSONObject, previousKey: string | null, service: JSONObject): JSONObject {
  const next: JSONObject = {};
  const name = service.name as string;
  for (const [key, value] of Object.entries(services)) {
    if (key === previousKey) {
      next[name] = service;
    } else if (key !== name) {
      next[key] = value;
    }
  }
  if (!(name in next)) {
    next[name] = service;
  }
  return next;
}

/** `services` without one. */
export function withoutService(services: JSONObject, key: string): JSONObject {
  const next: JSONObject = { ...services };
  delete next[key];
  return next;
}

/**
 * `services` with one service moved earlier (-1) or later (+1) in the start
 * order; `order` renumbered 0, 1, 2… when the file's were missing or shared,
 * else the two services swap theirs. Null when it cannot move.
 */
export function withServiceMoved(doc: JSONObject, key: string, delta: -1 | 1): JSONObject | null {
  const views = servicesOf(doc);
  const index = views.findIndex(v => v.key === key);
  const other = index + delta;
  if (index < 0 || other < 0 || other >= views.length) {
    return null;
  }
  const services = servicesObject(doc);
  const orders = views.map(v => v.order);
  const distinct = orders.every((o, i) => o !== null && orders.indexOf(o) === i);
  [views[index], views[other]] = [views[other], views[index]];
  const next: JSONObject = { ...services };
  views.forEach((view, i) => {
    const order = distinct ? (orders[i] as number) : i;
    if (view.order !== order) {
      next[view.key] = { ...view.service, order };
    }
  });
  return next;
}
