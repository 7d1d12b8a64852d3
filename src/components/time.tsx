/**
 * A moment relative to now, short ("3 min. ago", "in 2 days"), the full
 * date and time in its tooltip, kept current while it is shown.
 */

import * as React from 'react';

import { relativeTime } from './relative';

/** Every shown relative time is redrawn this often. */
const TICK_MS = 30000;

/** The full date and time, in the page's language. */
export function fullDate(value: string | Date): string {
  const lang = document.documentElement.lang || undefined;
  return new Date(value).toLocaleString(lang, { dateStyle: 'full', timeStyle: 'medium' });
}

/** A number that changes every `TICK_MS`, so relative times age. */
export function useNow(): number {
  const [now, setNow] = React.useState(() => Date.now());
  React.useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), TICK_MS);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

export function RelativeTime(props: { value: string; className?: string }): JSX.Element {
  useNow();
  return (
    <time className={props.className ?? 'jp-OrchestTime'} dateTime={props.value} title={fullDate(props.value)}>
      {relativeTime(props.value, Date.now(), document.documentElement.lang || undefined)}
    </time>
  );
}
