/**
 * The interactive sessions as a section of JupyterLab's Running panel
 * (beside its kernels and terminals): each session not stopped, its status,
 * shut down one or all, a click opens the pipeline.
 */

import type { IRunningSessions } from '@jupyterlab/running';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { LabIcon } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';

import type { ISession } from './api';
import { SessionTracker } from './sessions';
import { sessionStatusLabel, sessionStatusWord } from './status';

export interface IRunningSessionsOptions {
  sessions: SessionTracker;
  /** Open a pipeline (its editor). */
  open: (path: string) => void;
  /** Follow the sessions live (open the events websocket). */
  follow: () => void;
  icon: LabIcon;
  trans: TranslationBundle;
}

/**
 * The section's manager: the session tracker's active sessions.
 */
export class OrchestSessionsManager implements IRunningSessions.IManager {
  constructor(private readonly _options: IRunningSessionsOptions) {
    const { trans, sessions } = _options;
    this.name = trans.__('Orchest Sessions');
    this.shutdownLabel = trans.__('Stop Session');
    this.shutdownAllLabel = trans.__('Stop All');
    this.shutdownAllConfirmationText = trans.__(
      'Are you sure you want to stop every interactive session (their kernels and interactive runs)?'
    );
    sessions.changed.connect(() => this._runningChanged.emit(undefined), this);
  }

  readonly name: string;
  readonly shutdownLabel: string;
  readonly shutdownAllLabel: string;
  readonly shutdownAllConfirmationText: string;

  get runningChanged(): ISignal<this, void> {
    return this._runningChanged;
  }

  running(): IRunningSessions.IRunningItem[] {
    if (!this._shown) {
      // Read once the panel first shows the section, not at page load.
      this._shown = true;
      this._options.follow();
      this.refreshRunning();
    }
    return this._options.sessions.active().map(session => this._item(session));
  }

  refreshRunning(): void {
    this._options.sessions.refreshAll().catch(error => console.warn('orchest-jlab: cannot list the sessions', error));
  }

  shutdownAll(): void {
    for (const session of this._options.sessions.active()) {
      this._stop(session.pipeline_path);
    }
  }

  private _item(session: ISession): IRunningSessions.IRunningItem {
    const { icon, open, trans } = this._options;
    const path = session.pipeline_path;
    const status = sessionStatusLabel(trans, session.status);
    return {
      className: 'jp-OrchestRunningSession',
      context: path,
      icon: () => icon,
      label: () => path.split('/').pop() ?? path,
      labelTitle: () =>
        [
          path,
          session.message ? `${status}: ${session.message}` : status,
          trans._n('%1 kernel', '%1 kernels', session.kernels.length)
        ].join('\n'),
      detail: () => sessionStatusWord(trans, session.status),
      open: () => open(path),
      shutdown: session.status === 'STOPPING' ? undefined : () => this._stop(path)
    };
  }

  private _stop(path: string): void {
    this._options.sessions.stop(path).catch(error => console.warn('orchest-jlab: cannot stop the session of', path, error));
  }

  private _runningChanged = new Signal<this, void>(this);
  private _shown = false;
}
