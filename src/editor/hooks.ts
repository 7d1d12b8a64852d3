/**
 * React hooks of the pipeline editor's view.
 */

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
