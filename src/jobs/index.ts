/**
 * The jobs panel: the jobs section of the Orchest sidebar and the job views
 * it opens in the main area.
 */

export { JobsManager, IJobsOptions, OPEN_RUN_COMMAND } from './manager';
export { JobsSection } from './section';
