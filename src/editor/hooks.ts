/**
 * React hooks of the pipeline editor's view.
 */

import { IWidgetTracker } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { PipelineController } from './controller';

/**
 * Re-render on controller changes, at most once per animation frame (so
 * hundreds of state events arriving at once cost one render).
 */
export function useController(controller: PipelineController): number {
  const [version, setVersion] = React.useState(controller.version);
  React.useEffect(() => {
    const onChange = (): void => setVersion(controller.version);
    controller.frameChanged.connect(onChange);
    return () => {
      controller.frameChanged.disconnect(onChange);
    };
  }, [controller]);
  return version;
}

/**
 * A clock that ticks every second while `active`.
 */
export function useNow(active: boolean): number {
  const [now, setNow] = React.useState(Date.now());
  React.useEffect(() => {
    if (!active) {
      return;
    }
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [active]);
  return active ? now : Date.now();
}

/** What `useRefitOnResize` needs of xyflow's instance. */
interface IFlowView {
  getNodes(): { position: { x: number; y: number }; width?: number; height?: number }[];
  getViewport(): { x: number; y: number; zoom: number };
  fitView(options?: { padding?: number; maxZoom?: number; duration?: number }): unknown;
}

/**
 * Whether every node shows in a canvas of `width` × `height` at the viewport
 * given (screen = flow × zoom + offset).
 */
export function allNodesShow(
  nodes: ReturnType<IFlowView['getNodes']>,
  viewport: ReturnType<IFlowView['getViewport']>,
  width: number,
  height: number
): boolean {
  const { x, y, zoom } = viewport;
  return nodes.every(n => {
    const left = n.position.x * zoom + x;
    const top = n.position.y * zoom + y;
    const right = left + (n.width ?? 0) * zoom;
    const bottom = top + (n.height ?? 0) * zoom;
    return left >= 0 && top >= 0 && right <= width && bottom <= height;
  });
}

/**
 * Fit the pipeline into view again when the canvas is resized (a panel
 * docked below the editor, the properties panel closed) and steps that all
 * showed before would not all show any more. A user who zoomed in on a part
 * keeps that view.
 */
export function useRefitOnResize(container: React.RefObject<HTMLElement>, flow: IFlowView): void {
  React.useEffect(() => {
    const node = container.current;
    if (!node || typeof ResizeObserver === 'undefined') {
      return;
    }
    let last = { width: node.clientWidth, height: node.clientHeight };
    let frame = 0;
    const observer = new ResizeObserver(() => {
      const width = node.clientWidth;
      const height = node.clientHeight;
      if (!width || !height || (width === last.width && height === last.height)) {
        return; // a hidden tab has no size
      }
      const before = last;
      last = { width, height };
      const nodes = flow.getNodes();
      const viewport = flow.getViewport();
      if (
        nodes.length &&
        before.width &&
        before.height &&
        allNodesShow(nodes, viewport, before.width, before.height) &&
        !allNodesShow(nodes, viewport, width, height)
      ) {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(() => void flow.fitView({ padding: 0.2, maxZoom: 1, duration: 200 }));
      }
    });
    observer.observe(node);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, [container, flow]);
}

/**
 * The path of the pipeline in the current pipeline widget (editor or run
 * view), or null; follows the tracker.
 */
export function useCurrentPipeline<T extends Widget & { controller: { path: string } }>(
  tracker: IWidgetTracker<T>
): string | null {
  const [pipeline, setPipeline] = React.useState<string | null>(tracker.currentWidget?.controller.path ?? null);
  React.useEffect(() => {
    const onCurrent = (): void => setPipeline(tracker.currentWidget?.controller.path ?? null);
    tracker.currentChanged.connect(onCurrent);
    return () => {
      tracker.currentChanged.disconnect(onCurrent);
    };
  }, [tracker]);
  return pipeline;
}
