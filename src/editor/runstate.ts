/**
 * The live state of the run an editor shows: the latest interactive run of
 * its pipeline, kept up to date from the events websocket. No JupyterLab
 * imports: the logic is tested with jest.
 */

import type { IRun, IRunStep, RunStatus, StepState } from '../api';
import type { OrchestEvent } from '../events';

const STEP_RANK: { [state in StepState]: number } = {
  READY: 0,
  PENDING: 1,
  RUNNING: 2,
  COMPUTED: 3,
  FAILURE: 3,
  ABORTED: 3
};

const RUN_RANK: { [status in RunStatus]: number } = {
  PENDING: 0,
  STARTED: 1,
  SUCCESS: 2,
  FAILURE: 2,
  ABORTED: 2
};

/**
 * Whether a run has ended.
 */
export function isRunFinished(run: Pick<IRun, 'status'> | null): boolean {
  return !!run && RUN_RANK[run.status] === 2;
}

/**
 * Whether two paths relative to the server's root name the same file.
 */
export function isSamePath(a: string, b: string): boolean {
  const normalize = (path: string): string =>
    path
      .replace(/\\/g, '/')
      .split('/')
      .filter(p => p && p !== '.')
      .join('/');
  return normalize(a) === normalize(b);
}

/**
 * Seconds between two ISO times (or until `now`), or null without a start.
 */
export function durationSeconds(
  started: string | null | undefined,
  finished: string | null | undefined,
  now: number = Date.now()
): number | null {
  if (!started) {
    return null;
  }
  const start = Date.parse(started);
  const end = finished ? Date.parse(finished) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) {
    return null;
  }
  return Math.max(0, (end - start) / 1000);
}

/**
 * A duration as a badge shows it: `0.4s`, `12s`, `3m 05s`, `1h 02m`.
 */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) {
    return '';
  }
  if (seconds < 10) {
    return `${seconds.toFixed(1)}s`;
  }
  const s = Math.floor(seconds);
  if (s < 60) {
    return `${s}s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  }
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * The run an editor shows and the states of its steps.
 */
export class RunTracker {
  /**
   * `followNewRuns`: whether a new interactive run of the pipeline replaces
   * the run shown (an editor), or not (a past run shown read-only).
   */
  constructor(path: string, readonly followNewRuns = true) {
    this.path = path;
  }

  /** The pipeline's path, relative to the server's root. */
  path: string;

  /** The run shown, or null. */
  get run(): IRun | null {
    return this._run;
  }

  /**
   * A step's state: in the run shown, else its last state in an earlier run
   * (Orchest keeps each step's last state: a partial run does not reset the
   * others), or undefined when no run known ran it.
   */
  step(uuid: string): IRunStep | undefined {
    return this._run?.steps[uuid] ?? this._earlier.get(uuid)?.step;
  }

  /** The run a step's state comes from (see `step`), or null. */
  runOf(uuid: string): IRun | null {
    return this._run?.steps[uuid] ? this._run : this._earlier.get(uuid)?.run ?? null;
  }

  /**
   * Earlier runs (newest first, e.g. the pipeline's past interactive runs
   * after a page reload): each step not in the run shown keeps its state in
   * the newest of them that ran it.
   */
  addEarlierRuns(runs: readonly IRun[]): void {
    for (const run of runs) {
      if (run.uuid === this._run?.uuid || (this._run && Date.parse(run.created) > Date.parse(this._run.created))) {
        continue;
      }
      for (const [uuid, step] of Object.entries(run.steps)) {
        if (!this._run?.steps[uuid] && !this._earlier.has(uuid)) {
          this._earlier.set(uuid, { run, step });
        }
      }
    }
  }

  private _run: IRun | null = null;
  private _earlier = new Map<string, { run: IRun; step: IRunStep }>();

  /** Show another run; the one shown so far gives its steps' states to `_earlier`. */
  private _replace(run: IRun | null): void {
    const old = this._run;
    if (!run) {
      this._earlier.clear();
    } else if (old && Date.parse(old.created) <= Date.parse(run.created)) {
      for (const [uuid, step] of Object.entries(old.steps)) {
        this._earlier.set(uuid, { run: old, step });
      }
    }
    this._run = run;
    for (const uuid of Object.keys(run?.steps ?? {})) {
      this._earlier.delete(uuid);
    }
  }

  /**
   * Show a run fetched through the REST API. For the run already shown, what
   * the events already said is not lost to an older answer.
   */
  setRun(run: IRun | null): void {
    if (run && this._run && run.uuid === this._run.uuid) {
      const steps: { [uuid: string]: IRunStep } = {};
      for (const [uuid, step] of Object.entries(run.steps)) {
        const known = this._run.steps[uuid];
        steps[uuid] = known && STEP_RANK[known.state] > STEP_RANK[step.state] ? known : step;
      }
      const keepStatus = RUN_RANK[this._run.status] > RUN_RANK[run.status];
      this._run = {
        ...run,
        ...(keepStatus
          ? { status: this._run.status, finished: this._run.finished, error: this._run.error }
          : {}),
        steps
      };
    } else {
      this._replace(run ? { ...run, steps: { ...run.steps } } : null);
    }
  }

  /**
   * Apply an event; true when what is shown changed. Runs of other pipelines,
   * and non-interactive runs, are ignored.
   */
  apply(event: OrchestEvent): boolean {
    switch (event.type) {
      case 'run-created': {
        const run = event.run;
        if (!this.followNewRuns || !run.interactive || !isSamePath(event.pipeline_path, this.path)) {
          return false;
        }
        const { project_dir: _ignored, ...rest } = run;
        void _ignored;
        this.setRun({ ...(rest as unknown as IRun), pipeline_path: this.path });
        return true;
      }
      case 'run': {
        if (!this._run || event.run_uuid !== this._run.uuid) {
          return false;
        }
        this._run = {
          ...this._run,
          status: event.status,
          started: event.started,
          finished: event.finished,
          error: event.error,
          warnings: event.warnings ?? this._run.warnings
        };
        return true;
      }
      case 'step': {
        const earlier = this._earlier.get(event.step_uuid);
        if (earlier && earlier.run.uuid === event.run_uuid) {
          // An earlier run still ending (e.g. cancelled): its step's last state.
          earlier.step = { ...earlier.step, state: event.state, started: event.started, finished: event.finished, error: event.error };
          return true;
        }
        if (!this._run || event.run_uuid !== this._run.uuid) {
          return false;
        }
        // In place: hundreds of events can arrive at once, and the steps
        // object is this tracker's own copy.
        const previous = this._run.steps[event.step_uuid];
        this._run.steps[event.step_uuid] = {
          title: previous?.title ?? '',
          file_path: previous?.file_path ?? '',
          state: event.state,
          started: event.started,
          finished: event.finished,
          error: event.error,
          log_path: event.log_path,
          attempts: event.attempts,
          cache_key: event.cache_key,
          cached_from: event.cached_from,
          worker: event.worker ?? previous?.worker,
          runtime: event.runtime ?? previous?.runtime,
          image: event.image ?? previous?.image
        };
        return true;
      }
      default:
        return false;
    }
  }
}

/**
 * Join a log fetched through the REST API with the log lines that arrived as
 * events while it was fetched: lines at the start of `arrived` that the
 * fetched text already ends with are dropped.
 */
export function mergeLog(fetched: string, arrived: readonly string[]): string[] {
  const lines = fetched === '' ? [] : fetched.replace(/\n$/, '').split('\n');
  let overlap = Math.min(lines.length, arrived.length);
  for (; overlap > 0; overlap--) {
    let same = true;
    for (let i = 0; i < overlap; i++) {
      if (lines[lines.length - overlap + i] !== arrived[i]) {
        same = false;
        break;
      }
    }
    if (same) {
      break;
    }
  }
  return [...lines, ...arrived.slice(overlap)];
}
