/**
 * Graph operations on a pipeline's steps: connections point from a step to
 * the steps it depends on (`incoming_connections`), data flows the other way.
 */

/**
 * A pipeline graph: for each step, the steps it depends on, in order.
 */
export type Incoming = ReadonlyMap<string, readonly string[]>;

/**
 * For each step, the steps that depend on it (in step order).
 */
export function outgoing(graph: Incoming): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const uuid of graph.keys()) {
    out.set(uuid, []);
  }
  for (const [uuid, incoming] of graph) {
    for (const source of incoming) {
      out.get(source)?.push(uuid);
    }
  }
  return out;
}

/**
 * A path following the data flow from `from` to `to` (both included), or
 * null when `to` cannot be reached from `from`.
 */
export function downstreamPath(
  graph: Incoming,
  from: string,
  to: string
): string[] | null {
  const out = outgoing(graph);
  const previous = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length) {
    const current = queue.shift()!;
    if (current === to) {
      const path = [current];
      let p = previous.get(current);
      while (p) {
        path.unshift(p);
        p = previous.get(p);
      }
      return path;
    }
    for (const next of out.get(current) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, current);
        queue.push(next);
      }
    }
  }
  return null;
}

/**
 * The steps that `uuids` depend on, directly or not (excluding `uuids`
 * unless one depends on another).
 */
export function ancestors(graph: Incoming, uuids: Iterable<string>): Set<string> {
  const found = new Set<string>();
  const stack = [...uuids];
  while (stack.length) {
    const uuid = stack.pop()!;
    for (const source of graph.get(uuid) ?? []) {
      if (!found.has(source) && graph.has(source)) {
        found.add(source);
        stack.push(source);
      }
    }
  }
  return found;
}

/**
 * The steps that depend on `uuids`, directly or not.
 */
export function descendants(graph: Incoming, uuids: Iterable<string>): Set<string> {
  const out = outgoing(graph);
  const found = new Set<string>();
  const stack = [...uuids];
  while (stack.length) {
    const uuid = stack.pop()!;
    for (const target of out.get(uuid) ?? []) {
      if (!found.has(target)) {
        found.add(target);
        stack.push(target);
      }
    }
  }
  return found;
}

/**
 * The steps in dependency order (ties keep the order of the graph's keys),
 * or null when the graph has a cycle. Connections to missing steps are
 * ignored.
 */
export function topologicalOrder(graph: Incoming): string[] | null {
  const pending = new Map<string, number>();
  for (const [uuid, incoming] of graph) {
    pending.set(uuid, new Set(incoming.filter(s => graph.has(s))).size);
  }
  const out = outgoing(graph);
  const order: string[] = [];
  const keys = [...graph.keys()];
  const ready = keys.filter(k => pending.get(k) === 0);
  while (ready.length) {
    const uuid = ready.shift()!;
    order.push(uuid);
    for (const target of new Set(out.get(uuid) ?? [])) {
      const n = pending.get(target)! - 1;
      pending.set(target, n);
      if (n === 0) {
        ready.push(target);
      }
    }
  }
  return order.length === keys.length ? order : null;
}
