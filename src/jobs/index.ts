/**
 * The jobs panel: the jobs section of the Orchest sidebar and the job pages
 * and forms it opens in the main area.
 */

import { createJobView } from './jobView';
import { IJobsOptions, JobsManager } from './manager';
import { createJobForm } from './newJob';

export { IJobsOptions, JobsManager } from './manager';
export { createJobsSection } from './section';

/** The jobs panel's manager, with its views. */
export function createJobsManager(options: IJobsOptions): JobsManager {
  return new JobsManager(options, { job: createJobView, form: createJobForm });
}
