/**
 * A notebook rendered read-only in the main area (an executed notebook of a
 * past run): JupyterLab's notebook rendering, no kernel, nothing editable.
 * The file's JSON is read as JupyterLab reads a notebook (lines joined).
 */

import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { IEditorServices as ICodeEditorServices } from '@jupyterlab/codeeditor';
import { NotebookModel, StaticNotebook } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator } from '@jupyterlab/translation';

import { MainAreaToolbar } from '../components/toolbar';
import type { IStaticNotebook } from '../editor/services';
import { executedNotebookIcon } from '../icons';
import { rejoinLines } from './nbformat';

/**
 * Make the widget of a read-only notebook.
 */
export function createStaticNotebook(
  notebook: IStaticNotebook,
  options: { rendermime: IRenderMimeRegistry; editorServices: ICodeEditorServices; translator: ITranslator }
): MainAreaWidget<StaticNotebook> {
  const content = new StaticNotebook({
    rendermime: options.rendermime,
    contentFactory: new StaticNotebook.ContentFactory({
      editorFactory: options.editorServices.factoryService.newInlineEditor
    }),
    mimeTypeService: options.editorServices.mimeTypeService,
    // Every cell drawn at once: a read-only page, searched and scrolled as a whole.
    notebookConfig: { ...StaticNotebook.defaultNotebookConfig, windowingMode: 'none' },
    translator: options.translator
  });
  const model = new NotebookModel();
  model.fromJSON(rejoinLines(notebook.content) as Parameters<NotebookModel['fromJSON']>[0]);
  model.readOnly = true;
  content.model = model;
  for (const cell of content.widgets) {
    cell.readOnly = true;
  }
  content.addClass('jp-OrchestStaticNotebook');
  const widget = new StaticNotebookWidget({ content, toolbar: new MainAreaToolbar() }, model);
  widget.id = notebook.id;
  widget.title.label = notebook.title;
  widget.title.icon = executedNotebookIcon;
  widget.title.closable = true;
  return widget;
}

/**
 * The main-area widget of a read-only notebook; it owns the notebook's model.
 */
class StaticNotebookWidget extends MainAreaWidget<StaticNotebook> {
  constructor(
    options: MainAreaWidget.IOptions<StaticNotebook>,
    private readonly _model: NotebookModel
  ) {
    super(options);
  }

  /**
   * The model goes after the cells: disposed first (on the `disposed`
   * signal, which comes before the content is), its cells' widgets were
   * still sent resize messages after their own disposal (*Close All Tabs*
   * logged a TypeError).
   */
  dispose(): void {
    if (!this.isDisposed) {
      super.dispose();
      this._model.dispose();
    }
  }
}

/**
 * Show read-only notebooks in the main area, each once: showing one that is
 * open brings it forward.
 */
export function staticNotebookViewer(
  shell: JupyterFrontEnd.IShell,
  options: { rendermime: IRenderMimeRegistry; editorServices: ICodeEditorServices; translator: ITranslator }
): (notebook: IStaticNotebook) => void {
  const open = new Map<string, MainAreaWidget>();
  return notebook => {
    const shown = open.get(notebook.id);
    if (shown) {
      shell.activateById(shown.id);
      return;
    }
    const widget = createStaticNotebook(notebook, options);
    open.set(widget.id, widget);
    widget.disposed.connect(() => open.delete(widget.id));
    shell.add(widget, 'main');
  };
}
