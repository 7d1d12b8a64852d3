/**
 * The new-job form's state, its checks before anything is sent, and the
 * settings it makes (`POST /jobs`). Pure: the server checks everything
 * again and has the last word.
 */

import { IJobSettings, IJobWithRuns } from '../api';
import { envRowProblems, envRows, envVariables, IEnvRow } from '../envvars/rows';
import { axesOf, gridOf, IAxis } from './grid';
import { Translate } from './labels';
import { defaultScheduleForm, IScheduleForm, scheduleForm, scheduleOf } from './schedule';

export type { IEnvRow };
export { envVariables };

/** What the form edits. */
export interface IJobForm {
  name: string;
  axes: IAxis[];
  deselected: number[];
  env: IEnvRow[];
  schedule: IScheduleForm;
  /** Text of a whole number ≥ 1, or blank to keep every run. */
  maxRetained: string;
  overlap: 'skip' | 'queue';
  missedFires: 'skip' | 'run_once';
  /** Every run uses the step cache (a grid's runs share what they have in common). */
  cache: boolean;
}

/** A new form for a pipeline: its name, no grid yet (the server pre-fills it). */
export function newJobForm(pipelineName: string): IJobForm {
  return {
    name: pipelineName,
    axes: [],
    deselected: [],
    env: [],
    schedule: defaultScheduleForm(),
    maxRetained: '',
    overlap: 'skip',
    missedFires: 'skip',
    cache: false
  };
}

/** The form of an existing job (to change a draft). */
export function jobForm(job: IJobWithRuns): IJobForm {
  return {
    name: job.name,
    axes: axesOf(job.parameters),
    deselected: [...job.deselected],
    env: envRows(job.env_variables),
    schedule: scheduleForm(job.schedule),
    maxRetained: job.max_retained_pipeline_runs === null ? '' : String(job.max_retained_pipeline_runs),
    overlap: job.overlap,
    missedFires: job.missed_fires,
    cache: job.cache
  };
}

/** Problems found in the form before sending it, by field. */
export interface IFormProblems {
  name?: string;
  /** By row index of `env`. */
  env: Map<number, string>;
  schedule?: string;
  maxRetained?: string;
  /** Parameters whose JSON text does not read, by `parameterKey`. */
  grid: Map<string, string>;
}

/** Whether the form has no problem. */
export function isValid(problems: IFormProblems): boolean {
  return (
    !problems.name && !problems.schedule && !problems.maxRetained && !problems.env.size && !problems.grid.size
  );
}

/** Check the form as the server would, to say so before sending it. */
export function checkForm(form: IJobForm, trans: Translate): IFormProblems {
  const problems: IFormProblems = { env: new Map(), grid: new Map() };
  if (!form.name.trim()) {
    problems.name = trans.__('Give the job a name.');
  } else if (form.name.trim().length > 255) {
    problems.name = trans.__('The name is longer than 255 characters.');
  }
  problems.env = envRowProblems(form.env, trans);
  if (form.schedule.kind === 'once' && !form.schedule.at.trim()) {
    problems.schedule = trans.__('Choose the date and time to run at.');
  } else if (form.schedule.kind === 'cron' && !form.schedule.cron.trim()) {
    problems.schedule = trans.__('Write a cron expression.');
  }
  const retained = form.maxRetained.trim();
  if (retained && !(/^\d+$/.test(retained) && Number(retained) >= 1)) {
    problems.maxRetained = trans.__('A whole number of at least 1, or blank to keep every run.');
  }
  const grid = gridOf(form.axes);
  if ('errors' in grid) {
    problems.grid = grid.errors;
  }
  return problems;
}

/** The job's settings of a form that has no problem. */
export function settingsOf(form: IJobForm): IJobSettings {
  const grid = gridOf(form.axes);
  if ('errors' in grid) {
    throw new Error('The form has parameters that cannot be read.');
  }
  const retained = form.maxRetained.trim();
  return {
    name: form.name.trim(),
    parameters: grid.grid,
    deselected: [...form.deselected].sort((a, b) => a - b),
    schedule: scheduleOf(form.schedule),
    env_variables: envVariables(form.env),
    overlap: form.overlap,
    missed_fires: form.missedFires,
    max_retained_pipeline_runs: retained ? Number(retained) : null,
    cache: form.cache
  };
}
