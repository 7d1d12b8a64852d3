/**
 * The words the UI shows for the server's status codes: of runs, steps,
 * jobs, image builds, interactive sessions and services. The one place they are
 * chosen, so that the sidebar, the editor, the jobs and the environments
 * say the same thing for the same code.
 *
 * A `PENDING` run is "Pending" everywhere, as in Orchest: it waits for its
 * turn (a job's run waits for a free slot, an interactive one for its
 * session). A `PENDING` *job* is "Scheduled": it waits for its next time.
 */

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IBuild, JobStatus, RunStatus, ServiceStatus, SessionStatus, StepState } from './api';

/** The part of a translation bundle the labels use. */
type Translate = Pick<TranslationBundle, '__'>;

/** A run's status in words. */
export function runStatusLabel(trans: Translate, status: RunStatus): string {
  switch (status) {
    case 'PENDING':
      return trans.__('Pending');
    case 'STARTED':
      return trans.__('Running');
    case 'SUCCESS':
      return trans.__('Succeeded');
    case 'FAILURE':
      return trans.__('Failed');
    case 'ABORTED':
      return trans.__('Cancelled');
  }
  return status;
}

/** A step's state in words. */
export function stepStateLabel(trans: Translate, state: StepState): string {
  switch (state) {
    case 'READY':
      return trans.__('Ready');
    case 'PENDING':
      return trans.__('Pending');
    case 'RUNNING':
      return trans.__('Running');
    case 'COMPUTED':
      return trans.__('Completed');
    case 'ABORTED':
      return trans.__('Aborted');
    case 'FAILURE':
      return trans.__('Failed');
  }
  return state;
}

/** A job's status in words (a started or finished job reads as its runs do). */
export function jobStatusLabel(trans: Translate, status: JobStatus): string {
  switch (status) {
    case 'DRAFT':
      return trans.__('Draft');
    case 'PENDING':
      return trans.__('Scheduled');
    case 'PAUSED':
      return trans.__('Paused');
  }
  return runStatusLabel(trans, status);
}

/**
 * An environment's last build in words (or that it has none yet).
 * `sourceHash`: what the environment's files hash to now (the server's
 * `source_hash`); a successful build made from other files needs a rebuild.
 */
export function buildStatusLabel(trans: Translate, build: IBuild | null | undefined, sourceHash?: string | null): string {
  if (build?.status === 'SUCCESS' && sourceHash && build.source_hash && build.source_hash !== sourceHash) {
    return trans.__('Needs a rebuild (changed since built)');
  }
  switch (build?.status) {
    case undefined:
      return trans.__('Not built');
    case 'PENDING':
      return trans.__('Pending');
    case 'BUILDING':
      return trans.__('Building');
    case 'SUCCESS':
      return build.skipped ? trans.__('Built (up to date)') : trans.__('Built');
    case 'FAILURE':
      return trans.__('Build failed');
    case 'ABORTED':
      return trans.__('Build cancelled');
  }
  return build?.status ?? '';
}

/** An interactive session's status in words (null: not known yet). */
export function sessionStatusLabel(trans: Translate, status: SessionStatus | null): string {
  switch (status) {
    case 'STOPPED':
      return trans.__('Session stopped');
    case 'LAUNCHING':
      return trans.__('Session starting');
    case 'RUNNING':
      return trans.__('Session running');
    case 'STOPPING':
      return trans.__('Session stopping');
    case 'FAILURE':
      return trans.__('Session failed');
  }
  return trans.__('Session unknown');
}

/** An interactive session's status in one word, where the context says it is a session. */
export function sessionStatusWord(trans: Translate, status: SessionStatus): string {
  switch (status) {
    case 'STOPPED':
      return trans.__('Stopped');
    case 'LAUNCHING':
      return trans.__('Starting');
    case 'RUNNING':
      return trans.__('Running');
    case 'STOPPING':
      return trans.__('Stopping');
    case 'FAILURE':
      return trans.__('Failed');
  }
  return status;
}

/** A service's status in words. */
export function serviceStatusLabel(trans: Translate, status: ServiceStatus): string {
  switch (status) {
    case 'PENDING':
      return trans.__('Pending');
    case 'STARTING':
      return trans.__('Starting');
    case 'RUNNING':
      return trans.__('Running');
    case 'STOPPING':
      return trans.__('Stopping');
    case 'STOPPED':
      return trans.__('Stopped');
    case 'FAILURE':
      return trans.__('Failed');
  }
  return status;
}
