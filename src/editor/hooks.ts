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
