/**
 * React helpers of the jobs panel: job events, a reload that many events in
 * a row ask for once, keyboard-clickable elements.
 */

import * as React from 'react';

import { EventsClient, JobEvent, OrchestEvent } from '../events';

const JOB_EVENTS = new Set(['job', 'job-run', 'job-run-deleted', 'job-deleted']);

/**
 * Call `onJobEvent` with every job event and `onReset` when the events
 * were interrupted (state must be read again). Starts the events client.
 */
export function useJobEvents(
  events: EventsClient,
  onJobEvent: (event: JobEvent) => void,
  onReset: () => void
): void {
  const handlers = React.useRef({ onJobEvent, onReset });
  handlers.current = { onJobEvent, onReset };
  React.useEffect(() => {
    const listener = (_: EventsClient, event: OrchestEvent): void => {
      if (event.type === 'reset') {
        handlers.current.onReset();
      } else if (JOB_EVENTS.has(event.type)) {
        handlers.current.onJobEvent(event as JobEvent);
      }
    };
    events.received.connect(listener);
    events.start();
    return () => {
      events.received.disconnect(listener);
    };
  }, [events]);
}

/**
 * A version number to load with, and a function that bumps it at most once
 * per `delay` ms however often it is called.
 */
export function useReload(delay = 300): [number, () => void, () => void] {
  const [version, setVersion] = React.useState(0);
  const timer = React.useRef(0);
  React.useEffect(() => () => window.clearTimeout(timer.current), []);
  const later = React.useCallback(() => {
    if (!timer.current) {
      timer.current = window.setTimeout(() => {
        timer.current = 0;
        setVersion(v => v + 1);
      }, delay);
    }
  }, [delay]);
  const now = React.useCallback(() => setVersion(v => v + 1), []);
  return [version, later, now];
}

/**
 * The props that make an element act as a button from the keyboard too
 * (focusable; Enter and Space click it).
 */
export function clickable(onClick: () => void): {
  tabIndex: number;
  onClick: () => void;
  onKeyDown: (event: React.KeyboardEvent) => void;
} {
  return {
    tabIndex: 0,
    onClick,
    onKeyDown: event => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        onClick();
      }
    }
  };
}
