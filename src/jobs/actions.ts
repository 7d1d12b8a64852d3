/**
 * Which actions a job takes in its status (as the server allows them; it
 * still answers 409 when the job changed meanwhile). Pure.
 */

import { ACTIVE_JOB_STATUSES, IJob } from '../api';

/** The buttons of a job's view. */
export type JobButton = 'start' | 'edit' | 'pause' | 'resume' | 'trigger' | 'cancel' | 'duplicate' | 'delete';

/** The order of the buttons. */
export const JOB_BUTTONS: JobButton[] = ['start', 'edit', 'pause', 'resume', 'trigger', 'cancel', 'duplicate', 'delete'];

/** The actions a job takes now. */
export function availableActions(job: Pick<IJob, 'status' | 'next_fire' | 'schedule'>): Set<JobButton> {
  const actions = new Set<JobButton>(['duplicate', 'delete']);
  const active = ACTIVE_JOB_STATUSES.has(job.status);
  if (job.status === 'DRAFT') {
    actions.add('start').add('edit');
  }
  if ((job.status === 'PENDING' || job.status === 'STARTED') && job.next_fire) {
    actions.add('pause');
  }
  if (job.status === 'PAUSED') {
    actions.add('resume');
  }
  if (active && job.schedule.kind === 'cron') {
    actions.add('trigger');
  }
  if (active) {
    actions.add('cancel');
  }
  return actions;
}
