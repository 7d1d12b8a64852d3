/**
 * The log panel's content: the log of one step of the run shown, read
 * through the API (its last part) and then followed live, line by line.
 */

import { IRun, OrchestAPI } from '../api';
import { errorMessage } from './helpers';
import { mergeLog } from './runstate';

/**
 * The log shown.
 */
export interface ILogState {
  runUuid: string;
  stepUuid: string;
  lines: string[];
  loading: boolean;
  error: string | null;
}

export class StepLogPanel {
  constructor(
    private readonly _api: OrchestAPI,
    private readonly _changed: () => void
  ) {}

  /** The log shown, or null. */
  state: ILogState | null = null;

  /**
   * Show the log of a step of `run`: the log so far, then live lines.
   */
  async show(run: IRun | null, stepUuid: string): Promise<void> {
    if (!run || !run.steps[stepUuid]) {
      this.state = run ? { runUuid: run.uuid, stepUuid, lines: [], loading: false, error: null } : null;
      this._changed();
      return;
    }
    const shown = this.state;
    if (shown && shown.runUuid === run.uuid && shown.stepUuid === stepUuid && !shown.error) {
      return;
    }
    const state: ILogState = { runUuid: run.uuid, stepUuid, lines: [], loading: true, error: null };
    this.state = state;
    this._arrived = [];
    this._changed();
    try {
      const text = await this._api.getStepLog(run.uuid, stepUuid);
      if (this.state === state) {
        this.state = { ...state, lines: mergeLog(text, this._arrived), loading: false };
      }
    } catch (error) {
      if (this.state === state) {
        this.state = { ...state, loading: false, error: errorMessage(error) };
      }
    }
    this._changed();
  }

  /**
   * Read the log shown again: after a reset, lines were missed (the server
   * drops what a client that fell behind did not read yet).
   */
  reload(run: IRun | null): void {
    const stepUuid = this.state?.stepUuid;
    if (stepUuid) {
      this.state = null;
      void this.show(run, stepUuid);
    }
  }

  /**
   * Show `stepUuid`'s log (the step shown, else the one given) in `run` when
   * the log shown is another run's.
   */
  follow(run: IRun | null, stepUuid: string | null): void {
    const step = this.state?.stepUuid ?? stepUuid;
    if (step && run && this.state?.runUuid !== run.uuid) {
      this.state = null;
      void this.show(run, step);
    }
  }

  /** A live line of a step's log. */
  onLine(runUuid: string, stepUuid: string, line: string): void {
    const log = this.state;
    if (log && runUuid === log.runUuid && stepUuid === log.stepUuid) {
      if (log.loading) {
        this._arrived.push(line);
      } else {
        // Appended in place: long logs must not be copied per line.
        log.lines.push(line);
        this.state = { ...log };
        this._changed();
      }
    }
  }

  private _arrived: string[] = [];
}
