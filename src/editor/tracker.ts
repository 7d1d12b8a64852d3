/**
 * The pipeline widgets of the page (the `IPipelineTracker` token): editors
 * and run views together, the current one being what the commands act on,
 * and each kind apart, as the layout restorer keeps them.
 */

import { JupyterFrontEnd } from '@jupyterlab/application';
import { WidgetTracker } from '@jupyterlab/apputils';

import { IPipelineTracker } from '../tokens';
import { PipelineEditorWidget, PipelineWidget, RunViewWidget } from './widget';

/**
 * The tracker of the pipeline widgets.
 */
export class PipelineTracker extends WidgetTracker<PipelineWidget> implements IPipelineTracker {
  constructor(options: {
    shell: JupyterFrontEnd.IShell;
    /** Make the read-only view of a run. */
    createRunView: (runUuid: string) => RunViewWidget;
  }) {
    super({ namespace: 'orchest-pipelines' });
    this._shell = options.shell;
    this._createRunView = options.createRunView;
  }

  readonly editors = new WidgetTracker<PipelineEditorWidget>({ namespace: 'orchest-pipeline-editor' });
  readonly runViews = new WidgetTracker<RunViewWidget>({ namespace: 'orchest-run-view' });

  /** Track a new pipeline editor (restored from its file's path, kept when renamed). */
  addEditor(editor: PipelineEditorWidget): void {
    editor.context.pathChanged.connect(() => void this.editors.save(editor));
    void this.editors.add(editor);
    void this.add(editor);
  }

  async openRun(runUuid: string): Promise<RunViewWidget> {
    const open = this.runViews.find(view => view.controller.runUuid === runUuid);
    if (open) {
      this._shell.activateById(open.id);
      return open;
    }
    const view = this._createRunView(runUuid);
    this._shell.add(view, 'main');
    void this.runViews.add(view);
    void this.add(view);
    this._shell.activateById(view.id);
    return view;
  }

  private _shell: JupyterFrontEnd.IShell;
  private _createRunView: (runUuid: string) => RunViewWidget;
}
