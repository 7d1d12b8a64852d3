/**
 * A moment relative to now, in words ("3 min. ago", "in 2 days"). Pure:
 * jest-tested. (JupyterLab's `Time.formatHuman` rounds future times up to a
 * whole year: "next yr." for a time 3 hours ahead.)
 */

const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600 * 1000],
  ['month', 30 * 24 * 3600 * 1000],
  ['day', 24 * 3600 * 1000],
  ['hour', 3600 * 1000],
  ['minute', 60 * 1000],
  ['second', 1000]
];

/** `value` relative to `now`, in the largest unit of which it is at least one. */
export function relativeTime(value: string | Date, now: number, lang?: string): string {
  const formatter = new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: 'short' });
  const delta = new Date(value).getTime() - now;
  for (const [unit, ms] of UNITS) {
    const amount = Math.trunc(delta / ms);
    if (amount !== 0) {
      return formatter.format(amount, unit);
    }
  }
  return formatter.format(0, 'second');
}
