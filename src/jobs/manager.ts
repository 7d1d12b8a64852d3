/**
 * What the jobs panel's views share: the API, the events, and the main-area
 * widgets they open (the new-job form, a job's view), the server's errors in
 * a dialog, and opening a run of a job read-only.
 */

import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, IWidgetTracker, MainAreaWidget, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { IJobWithRuns, OrchestAPI } from '../api';
import { PipelineEditorWidget } from '../editor/widget';
import { CommandIDs } from '../commands/ids';
import { EventsClient } from '../events';
import { jobIcon } from '../icons';
import { cronLocale } from './schedule';

/** Options of the jobs panel. */
export interface IJobsOptions {
  api: OrchestAPI;
  events: EventsClient;
  commands: CommandRegistry;
  shell: JupyterFrontEnd.IShell;
  /** The pipeline editors: the jobs of the current one are listed. */
  tracker: IWidgetTracker<PipelineEditorWidget>;
  trans: TranslationBundle;
  /** JupyterLab's language (`ITranslator.languageCode`), for cron descriptions. */
  languageCode?: string;
}

/**
 * The main-area views of the jobs panel, made by their own modules (which
 * open each other through the manager).
 */
export interface IJobViews {
  /** A job's page. */
  job(manager: JobsManager, jobUuid: string, widgetId: string): Widget;
  /** The new-job form of a pipeline, or the form of a draft when given. */
  form(
    manager: JobsManager,
    options: { path: string; pipelineName: string; draft?: IJobWithRuns; widgetId: string }
  ): Widget;
}

/**
 * The jobs panel's shared services and its main-area widgets.
 */
export class JobsManager {
  constructor(options: IJobsOptions, views: IJobViews) {
    this._views = views;
    this.api = options.api;
    this.events = options.events;
    this.commands = options.commands;
    this.tracker = options.tracker;
    this.trans = options.trans;
    this.cronLocale = cronLocale(options.languageCode);
    this._shell = options.shell;
  }

  readonly api: OrchestAPI;
  readonly events: EventsClient;
  readonly commands: CommandRegistry;
  readonly tracker: IWidgetTracker<PipelineEditorWidget>;
  readonly trans: TranslationBundle;
  /** cronstrue's locale of the user's language. */
  readonly cronLocale: string;

  /**
   * Show a widget in the main area, once per id (the one already open is
   * brought forward).
   */
  openWidget(id: string, make: () => Widget, label: string): void {
    const open = this._open.get(id);
    if (open && !open.isDisposed) {
      this._shell.activateById(id);
      return;
    }
    const content = make();
    content.addClass('jp-OrchestJobs-content');
    const widget = new MainAreaWidget({ content });
    widget.id = id;
    widget.title.label = label;
    widget.title.icon = jobIcon;
    widget.title.closable = true;
    widget.addClass('jp-OrchestJobs-mainArea');
    widget.disposed.connect(() => this._open.delete(id));
    this._open.set(id, widget);
    this._shell.add(widget, 'main');
    this._shell.activateById(id);
  }

  /** Open a job's page (one per job). */
  openJob(jobUuid: string, name: string): void {
    const id = `orchest-job:${jobUuid}`;
    this.openWidget(id, () => this._views.job(this, jobUuid, id), this.jobLabel(name));
  }

  /** Open the new-job form of a pipeline (one per pipeline). */
  openNewJob(path: string, pipelineName: string): void {
    const id = `orchest-new-job:${path}`;
    this.openWidget(
      id,
      () => this._views.form(this, { path, pipelineName, widgetId: id }),
      this.trans.__('New job · %1', pipelineName)
    );
  }

  /** Open the form that changes a draft job. */
  openDraft(draft: IJobWithRuns): void {
    const id = `orchest-edit-job:${draft.uuid}`;
    const options = { path: draft.pipeline_path, pipelineName: draft.pipeline_name ?? draft.name, draft };
    this.openWidget(
      id,
      () => this._views.form(this, { ...options, widgetId: id }),
      this.trans.__('Job draft · %1', draft.name)
    );
  }

  /** The tab label of a job's page. */
  jobLabel(name: string): string {
    return this.trans.__('Job · %1', name);
  }

  /** Change the tab label of an open widget. */
  setLabel(id: string, label: string): void {
    const open = this._open.get(id);
    if (open) {
      open.title.label = label;
    }
  }

  /** Close a widget opened by `openWidget`. */
  close(id: string): void {
    this._open.get(id)?.dispose();
  }

  /** The server's message of a failed request, in a dialog. */
  async showError(title: string, error: unknown): Promise<void> {
    await showErrorMessage(title, error instanceof Error ? error : new Error(String(error)), [
      Dialog.okButton({ label: this.trans.__('Close') })
    ]);
  }

  /** Ask before something that cannot be undone. */
  async confirm(title: string, body: string, action: string): Promise<boolean> {
    const result = await showDialog({
      title,
      body,
      buttons: [Dialog.cancelButton({ label: this.trans.__('Cancel') }), Dialog.warnButton({ label: action })]
    });
    return result.button.accept;
  }

  /**
   * Open a run of a job read-only (the editor's `CommandIDs.openRun`: its
   * pipeline as it ran, states, logs, executed notebooks).
   */
  async openRun(runUuid: string): Promise<void> {
    await this.commands.execute(CommandIDs.openRun, { runUuid });
  }

  private _shell: JupyterFrontEnd.IShell;
  private _views: IJobViews;
  private _open = new Map<string, MainAreaWidget>();
}
