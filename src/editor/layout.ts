/**
 * Automatic layout of a pipeline with elkjs (layered, left to right, as data
 * flows). elkjs is large: it is loaded on first use, in a chunk of its own.
 */

import type { Incoming } from '../model';

/** The size the layout gives every step node. */
export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 76;

/**
 * Positions (top-left corners) for every step of the graph.
 */
export async function autoLayout(graph: Incoming): Promise<Map<string, [number, number]>> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const edges = [];
  for (const [target, incoming] of graph) {
    for (const source of incoming) {
      if (graph.has(source)) {
        edges.push({ id: `${source}->${target}`, sources: [source], targets: [target] });
      }
    }
  }
  const result = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '90',
      'elk.spacing.nodeNode': '40',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES'
    },
    children: [...graph.keys()].map(id => ({ id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges
  });
  const positions = new Map<string, [number, number]>();
  for (const child of result.children ?? []) {
    positions.set(child.id, [Math.round(child.x ?? 0) + 100, Math.round(child.y ?? 0) + 100]);
  }
  return positions;
}
