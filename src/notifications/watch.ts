/**
 * Which finished runs and jobs to tell the user about in the browser: runs
 * (not a job's: its job is told once) and one-off jobs of the pipelines the
 * user has open, when the user is not looking at them (another widget, or
 * another browser tab).
 */

import { FINAL_RUN_STATUSES } from '../api';
import type { OrchestEvent } from '../events';

export interface IFinished {
  kind: 'run' | 'job';
  uuid: string;
  status: string;
  /** The pipeline's name (a run), or empty (a job: its name is read when told). */
  name: string;
  pipelinePath: string | null;
}

/** Where the user is: the current main-area widget, and whether the page is seen at all. */
export interface IWhere {
  widgetId: string | null;
  /** The pipeline of the current editor (not a run view). */
  editorPath: string | null;
  hidden: boolean;
  /** The pipelines open in editors of this page: their runs and jobs are the user's. */
  openPipelines: ReadonlySet<string>;
  /** Whether the finished job's page is open (current or not). */
  jobPageOpen?: boolean;
}

export class FinishWatch {
  /** What became finished with this event, if anything. */
  take(event: OrchestEvent): IFinished | null {
    if (event.type === 'run-created') {
      const labels = (event.run.labels ?? {}) as { [key: string]: unknown };
      if (!labels.job_uuid) {
        const name = event.run.pipeline_name || event.pipeline_path;
        this._runs.set(event.run_uuid, { name, pipelinePath: event.pipeline_path });
      }
      return null;
    }
    if (event.type === 'run' && FINAL_RUN_STATUSES.has(event.status)) {
      const run = this._runs.get(event.run_uuid);
      this._runs.delete(event.run_uuid);
      return run ? { kind: 'run', uuid: event.run_uuid, status: event.status, ...run } : null;
    }
    if (event.type === 'job-ended') {
      return { kind: 'job', uuid: event.job_uuid, status: event.status, name: '', pipelinePath: null };
    }
    return null;
  }

  private _runs = new Map<string, { name: string; pipelinePath: string }>();
}

/**
 * Whether to tell the user: the run's pipeline (the job's, or its page) is
 * open in this page, and the user is not looking at it (another widget, or
 * the page is hidden). A job's `pipelinePath` is known once it is read.
 */
export function shouldTell(finished: IFinished, where: IWhere): boolean {
  const theirs =
    (finished.pipelinePath !== null && where.openPipelines.has(finished.pipelinePath)) ||
    (finished.kind === 'job' && !!where.jobPageOpen);
  if (!theirs) {
    return false;
  }
  if (where.hidden) {
    return true;
  }
  const view = finished.kind === 'job' ? `orchest-job:${finished.uuid}` : `orchest-run-${finished.uuid}`;
  return where.widgetId !== view && where.editorPath !== finished.pipelinePath;
}
