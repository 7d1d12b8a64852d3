/**
 * The status bar item: the state of the current file's step in its latest
 * run ("Transform: Running"), while it runs and after it ended.
 */

import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { runName } from '../editor/runview';
import { stepStateLabel } from '../status';
import { StepFileRuns } from './stepruns';

export class StepStatusItem extends Widget {
  /** `currentPath` is the path of the current document, or null. */
  constructor(
    private readonly _runs: StepFileRuns,
    private readonly _currentPath: () => string | null,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-OrchestStepStatus');
    this._runs.stepChanged.connect(this.refresh, this);
    this.refresh();
  }

  /** Whether the current file has a step state to show. */
  get hasState(): boolean {
    return this._shown !== null;
  }

  /** Whether it has a state to show changed. */
  get activeChanged(): ISignal<this, void> {
    return this._activeChanged;
  }

  /** Show the state of the current file's step (called when the current widget changes). */
  refresh(): void {
    const path = this._currentPath();
    const step = path ? this._runs.latest(path) : null;
    const wasShown = this._shown !== null;
    this._shown = step;
    if (wasShown !== (step !== null)) {
      this._activeChanged.emit();
    }
    if (!step) {
      this.node.textContent = '';
      this.node.title = '';
      this.node.dataset.state = '';
      return;
    }
    this.node.textContent = this._trans.__('%1: %2', step.title, stepStateLabel(this._trans, step.state));
    this.node.title = this._trans.__('Step “%1” in run %2', step.title, runName({ uuid: step.runUuid, number: step.runNumber }));
    this.node.dataset.state = step.state;
  }

  private _shown: unknown = null;
  private _activeChanged = new Signal<this, void>(this);
}
