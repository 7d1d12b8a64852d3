/**
 * Words of the jobs panel for the API's codes (statuses, policies), through
 * the translator.
 */

import { TranslationBundle } from '@jupyterlab/translation';

import { IJob, JobStatus, RunStatus } from '../api';

/** The part of a translation bundle the jobs panel uses. */
export type Translate = Pick<TranslationBundle, '__' | '_n'>;

/** A run's status in words (a job's `PENDING` run is queued: it has no run yet). */
export function runStatusLabel(trans: Translate, status: RunStatus): string {
  const words: { [status in RunStatus]: string } = {
    PENDING: trans.__('Queued'),
    STARTED: trans.__('Running'),
    SUCCESS: trans.__('Succeeded'),
    FAILURE: trans.__('Failed'),
    ABORTED: trans.__('Cancelled')
  };
  return words[status] ?? status;
}

/** A job's status in words. */
export function jobStatusLabel(trans: Translate, status: JobStatus): string {
  switch (status) {
    case 'DRAFT':
      return trans.__('Draft');
    case 'PENDING':
      return trans.__('Scheduled');
    case 'PAUSED':
      return trans.__('Paused');
    default:
      return runStatusLabel(trans, status);
  }
}

/** The run statuses in the order the panel lists their counts. */
const COUNTED: RunStatus[] = ['SUCCESS', 'FAILURE', 'ABORTED', 'STARTED', 'PENDING'];

/**
 * A job's runs in a line: how many, and how many per status
 * ("6 runs: 5 succeeded, 1 running").
 */
export function describeCounts(trans: Translate, counts: IJob['counts']): string {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  if (!total) {
    return trans.__('No runs yet');
  }
  const parts = COUNTED.filter(status => counts[status]).map(
    status => `${counts[status]} ${runStatusLabel(trans, status).toLowerCase()}`
  );
  return `${trans._n('%1 run', '%1 runs', total)}: ${parts.join(', ')}`;
}

/** The overlap policy in words. */
export function overlapLabel(trans: Translate, overlap: IJob['overlap']): string {
  return overlap === 'queue'
    ? trans.__('Queue it until the earlier runs end')
    : trans.__('Skip it');
}

/** The missed-fires policy in words. */
export function missedFiresLabel(trans: Translate, missed: IJob['missed_fires']): string {
  return missed === 'run_once' ? trans.__('Run once, for the latest missed time') : trans.__('Skip them');
}
