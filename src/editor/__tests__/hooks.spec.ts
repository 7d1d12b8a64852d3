import { allNodesShow } from '../hooks';

describe('allNodesShow', () => {
  const nodes = [
    { position: { x: 0, y: 0 }, width: 100, height: 50 },
    { position: { x: 300, y: 200 }, width: 100, height: 50 }
  ];
  it('tells whether every node shows in a canvas of a size', () => {
    const viewport = { x: 10, y: 10, zoom: 1 };
    expect(allNodesShow(nodes, viewport, 500, 300)).toBe(true);
    // A panel docked below: 150 px high, the second node is cut off.
    expect(allNodesShow(nodes, viewport, 500, 150)).toBe(false);
    // Zoomed out by half, it shows again.
    expect(allNodesShow(nodes, { x: 10, y: 10, zoom: 0.5 }, 500, 150)).toBe(true);
    // Panned left of the canvas.
    expect(allNodesShow(nodes, { x: -20, y: 10, zoom: 1 }, 500, 300)).toBe(false);
  });
});
