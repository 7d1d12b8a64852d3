/**
 * The commands of pipelines (src/commands/, ids in ids.ts) and where they
 * show: the command palette, the launcher, Edit → Undo / Redo, a notebook's
 * toolbar. Their menus and shortcuts: schema/commands.json.
 */

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { addCommands, keepCommandsCurrent, PALETTE_COMMANDS } from '../commands';
import { IOpenDocument } from '../commands/context';
import { CommandIDs } from '../commands/ids';
import { addNotebookRunButton } from '../commands/toolbar';
import { PipelineEditorWidget } from '../editor/widget';
import { IOrchestClient, IPipelineTracker } from '../tokens';

/**
 * The current document of the main area, or the one whose tab was
 * right-clicked (a tab names its widget in `data-id`).
 */
function currentDocument(app: JupyterFrontEnd, docManager: IDocumentManager, fromTab: boolean): IOpenDocument | null {
  let widget: Widget | null = app.shell.currentWidget;
  if (fromTab) {
    const tab = app.contextMenuHitTest(node => node.classList.contains('lm-TabBar-tab') && !!node.dataset.id);
    widget = tab ? Array.from(app.shell.widgets('main')).find(w => w.id === tab.dataset.id) ?? null : null;
  }
  const context = widget ? docManager.contextForWidget(widget) : undefined;
  if (!context) {
    return null;
  }
  return {
    path: context.path,
    get dirty() {
      return context.model.dirty;
    },
    save: () => context.save()
  };
}

export const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-jlab:commands',
  description: 'The commands of Orchest pipelines, in the palette, the launcher, the menus and the toolbars.',
  autoStart: true,
  requires: [IOrchestClient, IPipelineTracker],
  optional: [ITranslator, IDefaultFileBrowser, ILauncher, ICommandPalette, IMainMenu, IDocumentManager],
  activate: (
    app: JupyterFrontEnd,
    client: IOrchestClient,
    pipelines: IPipelineTracker,
    translator: ITranslator | null,
    fileBrowser: IDefaultFileBrowser | null,
    launcher: ILauncher | null,
    palette: ICommandPalette | null,
    mainMenu: IMainMenu | null,
    docManager: IDocumentManager | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('orchest_jlab');
    addCommands({
      commands: app.commands,
      trans,
      contents: app.serviceManager.contents,
      api: client.api,
      events: client.events,
      sessions: client.sessions,
      pipelines,
      currentDirectory: () => fileBrowser?.model.path ?? '',
      selectedFiles: () =>
        fileBrowser
          ? Array.from(fileBrowser.selectedItems(), item => ({ path: item.path, isDir: item.type === 'directory' }))
          : [],
      currentDocument: fromTab => (docManager ? currentDocument(app, docManager, fromTab) : null),
      contextMenuOn: className => !!app.contextMenuHitTest(node => node.classList.contains(className))
    });
    keepCommandsCurrent(app.commands, pipelines);
    addNotebookRunButton(app.docRegistry, app.commands, trans);

    if (mainMenu) {
      const isEditor = (widget: Widget): boolean =>
        widget instanceof PipelineEditorWidget && pipelines.editors.has(widget);
      mainMenu.editMenu.undoers.undo.add({ id: CommandIDs.undo, isEnabled: isEditor });
      mainMenu.editMenu.undoers.redo.add({ id: CommandIDs.redo, isEnabled: isEditor });
    }
    launcher?.add({ command: CommandIDs.newPipeline, category: trans.__('Other'), rank: 3 });
    if (palette) {
      const category = trans.__('Orchest');
      for (const command of PALETTE_COMMANDS) {
        palette.addItem({ command, category, args: { isPalette: true } });
      }
    }
  }
};
