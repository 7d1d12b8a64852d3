/**
 * Types of runs and their steps.
 */

/** States of a step in a run. */
export type StepState = 'READY' | 'PENDING' | 'RUNNING' | 'COMPUTED' | 'ABORTED' | 'FAILURE';

/** Statuses of a run. */
export type RunStatus = 'PENDING' | 'STARTED' | 'SUCCESS' | 'FAILURE' | 'ABORTED';

/** Run types. */
export type RunType = 'full' | 'selection' | 'incoming';

/** States after which a step does not change any more within a run. */
export const FINAL_STEP_STATES: ReadonlySet<StepState> = new Set(['COMPUTED', 'ABORTED', 'FAILURE']);

/** Statuses of runs that have ended. */
export const FINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['SUCCESS', 'FAILURE', 'ABORTED']);

/**
 * One step of a run.
 */
export interface IRunStep {
  title: string;
  file_path: string;
  state: StepState;
  started: string | null;
  finished: string | null;
  error: string | null;
  log_path: string | null;
  /** Attempts started: more than 1 when the step was retried. */
  attempts?: number;
  /** Its key in the step cache (a run that uses the cache). */
  cache_key?: string | null;
  /** Not run: its output was taken from this run's (the step cache). */
  cached_from?: string | null;
  /** The worker that ran it, on a backend of several machines (dask). */
  worker?: string;
  /** Where on that worker: in its environment's image built there, or on its host. */
  runtime?: 'docker' | 'host';
  /** With runtime docker: the image's tag. */
  image?: string;
}

/**
 * A run, with the states of its steps.
 */
export interface IRun {
  uuid: string;
  /** The pipeline file, relative to the server's root folder. */
  pipeline_path: string;
  /** The pipeline file, relative to its project folder. */
  pipeline_file: string;
  pipeline_uuid: string | null;
  pipeline_name?: string | null;
  run_type: RunType;
  selection?: string[];
  interactive: boolean;
  /** The run used the step cache. */
  cache?: boolean;
  parameters?: { [key: string]: unknown };
  backend: string;
  status: RunStatus;
  created: string;
  started?: string | null;
  finished?: string | null;
  error?: string | null;
  warnings?: string[];
  snapshot_dir?: string | null;
  labels?: { [key: string]: unknown };
  /** Its number among its pipeline's runs, in start order ("Run 12"), given when it starts (null: not yet). */
  number?: number | null;
  /** By step uuid, in the run's dependency order. */
  steps: { [uuid: string]: IRunStep };
}

/**
 * The pipeline a run ran.
 */
export interface IRunPipeline {
  /** The .orchest document as the run read it. */
  pipeline: { [key: string]: unknown };
  /** The pipeline file, relative to the server's root folder. */
  pipeline_path: string;
  /**
   * From the run's snapshot, recorded when an interactive run started, or
   * the file as it is now (runs from before documents were recorded).
   */
  source: 'snapshot' | 'recorded' | 'current';
}

/**
 * What starts a run.
 */
export interface IRunRequest {
  /** The .orchest file, relative to the server's root folder. */
  pipeline: string;
  run_type?: RunType;
  steps?: string[];
  parameters?: { [key: string]: { [name: string]: unknown } };
  interactive?: boolean;
  /** Use the step cache: steps whose inputs are unchanged are not run. */
  cache?: boolean;
}
