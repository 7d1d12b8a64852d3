/**
 * Keeping the job list and a job's view current from the websocket's job
 * events: what an event changes at once, and whether the view should read
 * the REST API again for what an event does not carry (run times, history,
 * a job it does not know yet). Pure.
 */

import { IJob, IJobRun, IJobWithRuns } from '../api';
import { JobEvent } from '../events';

/** A change and whether to reload. */
export interface IApplied<T> {
  value: T;
  reload: boolean;
}

function patchJob<T extends IJob>(job: T, event: JobEvent & { type: 'job' }): T {
  return {
    ...job,
    status: event.status,
    next_fire: event.next_fire,
    last_fired: event.last_fired,
    fire_count: event.fire_count,
    run_count: event.run_count
  };
}

/**
 * The job list of a pipeline after an event. A `job` event of a job not in
 * the list may be a new job of the pipeline: reload. Counts per status change
 * with `job-run` events, which do not say what the status was: reload.
 */
export function applyToList(jobs: IJob[], event: JobEvent): IApplied<IJob[]> {
  const known = jobs.some(job => job.uuid === event.job_uuid);
  switch (event.type) {
    case 'job':
      return known
        ? { value: jobs.map(job => (job.uuid === event.job_uuid ? patchJob(job, event) : job)), reload: false }
        : { value: jobs, reload: true };
    case 'job-deleted':
      return { value: jobs.filter(job => job.uuid !== event.job_uuid), reload: false };
    default:
      return { value: jobs, reload: known };
  }
}

/** Runs per status. */
export function countRuns(runs: readonly IJobRun[]): { [status: string]: number } {
  const counts: { [status: string]: number } = {};
  for (const run of runs) {
    counts[run.status] = (counts[run.status] ?? 0) + 1;
  }
  return counts;
}

/**
 * A job's view after an event: null once the job is deleted. A run's status
 * changes at once; a run not seen yet, a run that started or ended (its times) and a
 * `job` event (the history) ask for a reload.
 */
export function applyToJob(job: IJobWithRuns, event: JobEvent): IApplied<IJobWithRuns | null> {
  if (event.job_uuid !== job.uuid) {
    return { value: job, reload: false };
  }
  switch (event.type) {
    case 'job':
      return { value: patchJob(job, event), reload: true };
    case 'job-deleted':
      return { value: null, reload: false };
    case 'job-run-deleted': {
      const runs = job.runs.filter(run => run.index !== event.index);
      return { value: { ...job, runs, counts: countRuns(runs) }, reload: false };
    }
    case 'job-run': {
      const known = job.runs.some(run => run.index === event.index);
      if (!known) {
        return { value: job, reload: true };
      }
      const runs = job.runs.map(run =>
        run.index === event.index ? { ...run, status: event.status, run_uuid: event.run_uuid ?? run.run_uuid } : run
      );
      // Start and end times come with the job's GET.
      return { value: { ...job, runs, counts: countRuns(runs) }, reload: event.status !== 'PENDING' };
    }
  }
  return { value: job, reload: false };
}
