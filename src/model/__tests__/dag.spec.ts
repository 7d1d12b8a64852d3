import { ancestors, descendants, downstreamPath, topologicalOrder } from '../dag';

// a → b → d, a → c → d, e alone
const graph = new Map<string, string[]>([
  ['d', ['b', 'c']],
  ['b', ['a']],
  ['c', ['a']],
  ['a', []],
  ['e', []]
]);

describe('dag', () => {
  it('finds ancestors and descendants', () => {
    expect([...ancestors(graph, ['d'])].sort()).toEqual(['a', 'b', 'c']);
    expect([...descendants(graph, ['a'])].sort()).toEqual(['b', 'c', 'd']);
    expect(ancestors(graph, ['e']).size).toBe(0);
  });

  it('finds a path along the data flow', () => {
    expect(downstreamPath(graph, 'a', 'd')).toEqual(['a', 'b', 'd']);
    expect(downstreamPath(graph, 'd', 'a')).toBeNull();
  });

  it('orders steps by dependency, ties in key order', () => {
    expect(topologicalOrder(graph)).toEqual(['a', 'e', 'b', 'c', 'd']);
    const cyclic = new Map([
      ['x', ['y']],
      ['y', ['x']]
    ]);
    expect(topologicalOrder(cyclic)).toBeNull();
  });
});
