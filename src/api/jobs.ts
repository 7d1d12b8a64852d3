/**
 * Types of jobs: scheduled, parameterized runs of a pipeline.
 */

import type { RunStatus } from './runs';

/** Statuses of a job. */
export type JobStatus = 'DRAFT' | 'PENDING' | 'STARTED' | 'PAUSED' | 'SUCCESS' | 'ABORTED' | 'FAILURE';

/** Jobs that can still fire or run. */
export const ACTIVE_JOB_STATUSES: ReadonlySet<JobStatus> = new Set(['PENDING', 'STARTED', 'PAUSED']);

/**
 * A parameter grid, shaped like Orchest's `<pipeline>.parameters.json`:
 * `{"pipeline_parameters": {name: [values]}, "<step uuid>": {name: [values]}}`.
 */
export type JobGrid = { [owner: string]: { [name: string]: unknown } };

/** The parameters of one combination (one run): one value per parameter. */
export type JobParameters = { [owner: string]: { [name: string]: unknown } };

/**
 * When a job runs: now, once `at` a time, or on a `cron` expression read in
 * the IANA `timezone` (UTC when not given).
 */
export interface IJobSchedule {
  kind: 'now' | 'once' | 'cron';
  at?: string | null;
  cron?: string | null;
  timezone?: string;
}

/** A job's settings, as created or changed. */
export interface IJobSettings {
  name?: string;
  parameters?: JobGrid;
  deselected?: number[];
  schedule?: IJobSchedule;
  env_variables?: { [name: string]: string };
  overlap?: 'skip' | 'queue';
  missed_fires?: 'skip' | 'run_once';
  max_retained_pipeline_runs?: number | null;
  /** Every run uses the step cache (docs/cache.md). */
  cache?: boolean;
}

/** A job, as listed. */
export interface IJob {
  uuid: string;
  name: string;
  /** The pipeline file, relative to the server's root folder. */
  pipeline_path: string;
  pipeline_file: string;
  pipeline_uuid: string | null;
  pipeline_name: string | null;
  status: JobStatus;
  schedule: IJobSchedule;
  /** UTC, ISO 8601; the server's truth about the next fire. */
  next_fire: string | null;
  last_fired: string | null;
  overlap: 'skip' | 'queue';
  missed_fires: 'skip' | 'run_once';
  max_retained_pipeline_runs: number | null;
  /** Every run uses the step cache (docs/cache.md). */
  cache: boolean;
  parameters: JobGrid;
  deselected: number[];
  grid_size: number;
  runs_per_fire: number;
  env_variables: { [name: string]: string };
  created: string;
  updated: string;
  started: string | null;
  finished: string | null;
  fire_count: number;
  run_count: number;
  runs_deleted: number;
  snapshot_dir: string;
  warnings: string[];
  error: string | null;
  /** Runs per status. */
  counts: { [status: string]: number };
}

/** One run of a job. */
export interface IJobRun {
  index: number;
  fire: number;
  combination: number;
  parameters: JobParameters;
  status: RunStatus;
  /** Null while queued. */
  run_uuid: string | null;
  created?: string;
  started?: string | null;
  finished?: string | null;
  error?: string | null;
}

/** A line of a job's history. */
export interface IJobHistoryEntry {
  time: string;
  kind: string;
  message: string;
}

/** A job with its runs, history and the pipeline document of its snapshot. */
export interface IJobWithRuns extends IJob {
  pipeline: { [key: string]: unknown };
  runs: IJobRun[];
  history: IJobHistoryEntry[];
}

/** A grid checked and expanded by the server (`POST /jobs/grid`). */
export interface IGridPreview {
  parameters: JobGrid;
  grid_size: number;
  runs_per_fire: number;
  combinations: { index: number; parameters: JobParameters; selected: boolean }[];
}

/** The actions on a job that take no body and answer with the job. */
export type JobAction = 'start' | 'pause' | 'resume' | 'trigger' | 'cancel';
