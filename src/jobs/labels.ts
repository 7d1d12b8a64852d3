/**
 * Words of the jobs panel for the API's codes (run counts, policies), through
 * the translator; statuses are in ../status.ts.
 */

import { TranslationBundle } from '@jupyterlab/translation';

import { IJob, RunStatus } from '../api';
import { runStatusLabel } from '../status';

/** The part of a translation bundle the jobs panel uses. */
export type Translate = Pick<TranslationBundle, '__' | '_n'>;

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
