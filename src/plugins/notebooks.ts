/**
 * Step notebooks and interactive runs: open notebooks reloaded when a run has
 * executed them (src/notebooks/reload.ts), and the state of the current
 * file's step in JupyterLab's status bar (src/notebooks/status.ts).
 */

import { ILabShell, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { openNotebooks } from '../notebooks/documents';
import { reloadNotebooksAfterRuns } from '../notebooks/reload';
import { StepStatusItem } from '../notebooks/status';
import { StepFileRuns } from '../notebooks/stepruns';
import { IOrchestClient } from '../tokens';

export const notebooksPlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-jlab:notebooks',
  description: 'Open step notebooks follow interactive runs; the state of the current step in the status bar.',
  autoStart: true,
  requires: [IOrchestClient],
  optional: [IDocumentManager, IStatusBar, ILabShell, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    client: IOrchestClient,
    docManager: IDocumentManager | null,
    statusBar: IStatusBar | null,
    labShell: ILabShell | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('orchest_jlab');
    const runs = new StepFileRuns(runUuid => client.api.getRun(runUuid));
    client.events.received.connect((_, event) => {
      runs.handle(event).catch(reason => console.warn('orchest-jlab: a run event could not be applied', reason));
    });
    if (docManager) {
      reloadNotebooksAfterRuns(runs, openNotebooks(docManager, trans), trans);
    }
    if (statusBar) {
      const currentPath = (): string | null => {
        const widget = app.shell.currentWidget;
        const context = widget && docManager ? docManager.contextForWidget(widget) : undefined;
        return context?.path ?? null;
      };
      const item = new StepStatusItem(runs, currentPath, trans);
      labShell?.currentChanged.connect(() => item.refresh());
      statusBar.registerStatusItem('orchest-jlab:step-status', {
        item,
        align: 'left',
        rank: 5,
        isActive: () => item.hasState,
        activeStateChanged: item.activeChanged
      });
    }
  }
};
