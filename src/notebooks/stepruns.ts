/**
 * Which step files runs are running, from the events websocket: for each run
 * its pipeline and its steps' files (paths relative to the server's root), and
 * the latest state of each step. The status bar shows the state of the
 * current file's step; open notebooks are reloaded when their step finishes.
 */

import { PathExt } from '@jupyterlab/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import { FINAL_STEP_STATES, IRun, StepState } from '../api';
import type { OrchestEvent } from '../events';

/** A step of a run, as the page last heard of it. */
export interface IStepFileState {
  runUuid: string;
  /** The run's number in its pipeline, from its first event (null: not numbered yet). */
  runNumber: number | null;
  stepUuid: string;
  /** The step's file, relative to the server's root. */
  path: string;
  title: string;
  state: StepState;
  interactive: boolean;
  /** The step was seen running (its notebook is then written when it ends). */
  ran: boolean;
}

interface IRunFiles {
  interactive: boolean;
  steps: Map<string, IStepFileState>;
}

/** A step's file relative to the server's root, from its pipeline's path. */
export function stepFilePath(pipelinePath: string, filePath: string): string {
  return PathExt.normalize(PathExt.join(PathExt.dirname(pipelinePath), filePath)).replace(/^\.\//, '');
}

export class StepFileRuns {
  /** `getRun` reads a run the page did not see created (e.g. before a reload). */
  constructor(private readonly _getRun: (runUuid: string) => Promise<IRun>) {}

  /** A step's state changed (after its run is known). */
  get stepChanged(): ISignal<this, IStepFileState> {
    return this._stepChanged;
  }

  /** The latest step of a run (the most recent run first) whose file is `path`. */
  latest(path: string): IStepFileState | null {
    const runs = [...this._runs.values()].reverse();
    for (const run of runs) {
      for (const step of run.steps.values()) {
        if (step.path === path) {
          return step;
        }
      }
    }
    return null;
  }

  /** Apply an event of the websocket. */
  async handle(event: OrchestEvent): Promise<void> {
    if (event.type === 'run-created') {
      this._add(event.run_uuid, event.pipeline_path, event.run.interactive, event.run.steps, event.run.number);
      return;
    }
    if (event.type !== 'step') {
      return;
    }
    let run: IRunFiles | undefined = this._runs.get(event.run_uuid);
    if (!run) {
      run = await this._read(event.run_uuid);
    }
    const step = run?.steps.get(event.step_uuid);
    if (!step) {
      return;
    }
    step.state = event.state;
    step.ran = step.ran || event.state === 'RUNNING';
    this._stepChanged.emit(step);
  }

  private async _read(runUuid: string): Promise<IRunFiles | undefined> {
    let reading = this._reading.get(runUuid);
    if (!reading) {
      reading = this._getRun(runUuid).then(
        run => this._add(run.uuid, run.pipeline_path, run.interactive, run.steps, run.number),
        () => undefined
      );
      this._reading.set(runUuid, reading);
    }
    const run = await reading;
    this._reading.delete(runUuid);
    return run;
  }

  private _add(
    runUuid: string,
    pipelinePath: string,
    interactive: boolean,
    steps: IRun['steps'],
    runNumber: number | null | undefined
  ): IRunFiles {
    const known = this._runs.get(runUuid);
    if (known) {
      return known;
    }
    const run: IRunFiles = { interactive, steps: new Map() };
    for (const [stepUuid, step] of Object.entries(steps)) {
      run.steps.set(stepUuid, {
        runUuid,
        runNumber: runNumber ?? null,
        stepUuid,
        path: stepFilePath(pipelinePath, step.file_path),
        title: step.title,
        state: step.state,
        interactive,
        ran: step.state === 'RUNNING'
      });
    }
    this._runs.set(runUuid, run);
    while (this._runs.size > MAX_RUNS) {
      this._runs.delete(this._runs.keys().next().value as string);
    }
    return run;
  }

  private _runs = new Map<string, IRunFiles>();
  private _reading = new Map<string, Promise<IRunFiles | undefined>>();
  private _stepChanged = new Signal<this, IStepFileState>(this);
}

/** Runs remembered (the oldest are forgotten). */
const MAX_RUNS = 50;

/** The step finished executing its notebook in place (an interactive run wrote its outputs). */
export function finishedInPlace(step: IStepFileState): boolean {
  return (
    step.interactive &&
    step.ran &&
    FINAL_STEP_STATES.has(step.state) &&
    PathExt.extname(step.path).toLowerCase() === '.ipynb'
  );
}
