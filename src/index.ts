import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { IEditorServices as ICodeEditorServices } from '@jupyterlab/codeeditor';
import { DocumentWidget } from '@jupyterlab/docregistry';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { PageConfig } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { FileDialog, IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { OrchestAPI } from './api';
import { addCommands, CommandIDs, populateRunViewToolbar, populateToolbar } from './commands';
import { isStepFile } from './editor/helpers';
import { DEFAULT_SETTINGS, IEditorServices, IEditorSettings } from './editor/services';
import { RunViewController } from './editor/runview';
import {
  PIPELINE_EDITOR_FACTORY,
  PipelineEditorFactory,
  PipelineEditorWidget,
  PipelineWidget,
  RunViewWidget
} from './editor/widget';
import { EventsClient } from './events';
import { pipelineIcon } from './icons';
import { createStaticNotebook } from './notebookview';
import { SessionTracker } from './sessions';
import { addEnvironmentCommands, EnvironmentsManager } from './environments';
import { createJobsManager } from './jobs';
import { OrchestSidebar } from './sidebar';

/**
 * Name of the document registry file type of `.orchest` pipeline files.
 */
export const PIPELINE_FILE_TYPE = 'orchest-pipeline';

/**
 * MIME type of `.orchest` files in the text editor.
 */
export const PIPELINE_MIME_TYPE = 'application/x-orchest-pipeline+json';

/**
 * The plugin's id (its settings schema is schema/plugin.json).
 */
const PLUGIN_ID = 'orchest-jlab:plugin';

/**
 * Name of the CodeMirror language of `.orchest` files.
 */
const LANGUAGE_NAME = 'Orchest pipeline';

/**
 * Make the text editor highlight `.orchest` files as JSON.
 *
 * The editor picks its language from the file name through the CodeMirror
 * language registry, not from the document registry's file type, so the
 * `.orchest` extension is registered there too, as a language of its own
 * (the registry takes each MIME type once) that loads the JSON support.
 */
function registerEditorLanguage(languages: IEditorLanguageRegistry): void {
  const json = languages.findByMIME('application/json');
  if (!json || languages.findByName(LANGUAGE_NAME)) {
    return;
  }
  languages.addLanguage({
    name: LANGUAGE_NAME,
    displayName: 'Orchest pipeline (JSON)',
    mime: PIPELINE_MIME_TYPE,
    extensions: ['orchest'],
    load: async () => {
      const language = await languages.getLanguage(json);
      if (!language?.support) {
        throw new Error('The JSON language of CodeMirror is not available');
      }
      return language.support;
    }
  });
}

/**
 * The `.orchest` file type and the pipeline editor, its default widget (the
 * text editor stays available through Open With).
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Orchest pipelines inside JupyterLab.',
  autoStart: true,
  optional: [
    IEditorLanguageRegistry,
    ITranslator,
    ISettingRegistry,
    ILayoutRestorer,
    IDefaultFileBrowser,
    ILauncher,
    ICommandPalette,
    IDocumentManager,
    IMainMenu,
    IRenderMimeRegistry,
    ICodeEditorServices
  ],
  activate: (
    app: JupyterFrontEnd,
    languages: IEditorLanguageRegistry | null,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null,
    restorer: ILayoutRestorer | null,
    fileBrowser: IDefaultFileBrowser | null,
    launcher: ILauncher | null,
    palette: ICommandPalette | null,
    docManager: IDocumentManager | null,
    mainMenu: IMainMenu | null,
    rendermime: IRenderMimeRegistry | null,
    codeEditors: ICodeEditorServices | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('orchest_jlab');
    app.docRegistry.addFileType({
      name: PIPELINE_FILE_TYPE,
      displayName: trans.__('Orchest pipeline'),
      extensions: ['.orchest'],
      mimeTypes: ['application/json'],
      contentType: 'file',
      fileFormat: 'text',
      icon: pipelineIcon
    });
    if (languages) {
      try {
        registerEditorLanguage(languages);
      } catch (reason) {
        // Highlighting is a nicety: never lose the file type over it.
        console.warn('orchest-jlab: no JSON highlighting of .orchest files', reason);
      }
    }

    let settings: IEditorSettings = { ...DEFAULT_SETTINGS };
    if (settingRegistry) {
      void settingRegistry
        .load(PLUGIN_ID)
        .then(loaded => {
          const update = (): void => {
            settings = { ...DEFAULT_SETTINGS, ...(loaded.composite as Partial<IEditorSettings>) };
          };
          update();
          loaded.changed.connect(update);
        })
        .catch(reason => console.warn('orchest-jlab: cannot load the settings', reason));
    }

    const serverSettings = app.serviceManager.serverSettings;
    const api = new OrchestAPI({ serverSettings });
    const events = new EventsClient({ serverSettings });
    const sessions = new SessionTracker(api, events);
    // Editors and run views are restored apart; `pipelines` follows both,
    // for the commands and the sidebar.
    const tracker = new WidgetTracker<PipelineEditorWidget>({ namespace: 'orchest-pipeline-editor' });
    const runViews = new WidgetTracker<RunViewWidget>({ namespace: 'orchest-run-view' });
    const pipelines = new WidgetTracker<PipelineWidget>({ namespace: 'orchest-pipelines' });
    const notebooks = new WidgetTracker<MainAreaWidget>({ namespace: 'orchest-run-notebook' });

    const services: IEditorServices = {
      api,
      events,
      sessions,
      commands: app.commands,
      contents: app.serviceManager.contents,
      kernelspecs: app.serviceManager.kernelspecs,
      trans,
      settings: () => settings,
      pickFile: docManager
        ? async (title, defaultPath) => {
            const result = await FileDialog.getOpenFiles({
              manager: docManager,
              title,
              defaultPath,
              translator: translator ?? nullTranslator,
              filter: model => (model.type === 'directory' || isStepFile(model.path) ? {} : null)
            });
            const file = result.button.accept ? result.value?.find(m => m.type !== 'directory') : undefined;
            return file ? file.path : null;
          }
        : null,
      showNotebook:
        rendermime && codeEditors
          ? notebook => {
              const open = notebooks.find(w => w.id === notebook.id);
              if (open) {
                app.shell.activateById(open.id);
                return;
              }
              const widget = createStaticNotebook(notebook, {
                rendermime,
                editorServices: codeEditors,
                translator: translator ?? nullTranslator
              });
              app.shell.add(widget, 'main');
              void notebooks.add(widget);
            }
          : null
    };

    const factory = new PipelineEditorFactory({
      name: PIPELINE_EDITOR_FACTORY,
      label: trans.__('Pipeline Editor'),
      fileTypes: [PIPELINE_FILE_TYPE],
      defaultFor: [PIPELINE_FILE_TYPE],
      modelName: 'text',
      translator: translator ?? nullTranslator,
      services,
      populateToolbar: widget => populateToolbar(widget, app.commands, trans)
    });

    const openRun = async (runUuid: string): Promise<RunViewWidget> => {
      const open = runViews.find(w => w.controller.runUuid === runUuid);
      if (open) {
        app.shell.activateById(open.id);
        return open;
      }
      events.start();
      const widget = new RunViewWidget(new RunViewController(runUuid, services), trans);
      widget.title.icon = pipelineIcon;
      populateRunViewToolbar(widget, app.commands, trans);
      widget.controller.changed.connect(refreshCommands);
      app.shell.add(widget, 'main');
      void runViews.add(widget);
      void pipelines.add(widget);
      app.shell.activateById(widget.id);
      return widget;
    };

    // Keep the enabled state of the commands (toolbar buttons) current.
    let frame = 0;
    const refreshCommands = (): void => {
      if (!frame) {
        frame = requestAnimationFrame(() => {
          frame = 0;
          app.commands.notifyCommandChanged();
        });
      }
    };
    factory.widgetCreated.connect((_, widget) => {
      widget.title.icon = pipelineIcon;
      widget.context.pathChanged.connect(() => void tracker.save(widget));
      widget.controller.changed.connect(refreshCommands);
      void tracker.add(widget);
      void pipelines.add(widget);
    });
    pipelines.currentChanged.connect(refreshCommands);
    app.docRegistry.addWidgetFactory(factory);

    if (restorer) {
      void restorer.restore(tracker, {
        command: 'docmanager:open',
        args: widget => ({ path: widget.context.path, factory: PIPELINE_EDITOR_FACTORY }),
        name: widget => widget.context.path
      });
      void restorer.restore(runViews, {
        command: CommandIDs.openRun,
        args: widget => ({ runUuid: widget.controller.runUuid }),
        name: widget => widget.controller.runUuid
      });
    }

    addCommands({
      commands: app.commands,
      pipelines,
      openRun,
      sessions,
      trans,
      contents: app.serviceManager.contents,
      api,
      currentDirectory: () => fileBrowser?.model.path ?? '',
      selectedFiles: () =>
        fileBrowser
          ? Array.from(fileBrowser.selectedItems(), item => ({
              path: item.path,
              isDir: item.type === 'directory'
            }))
          : []
    });

    const environments = new EnvironmentsManager({
      api,
      events,
      trans,
      shell: app.shell,
      editorServices: codeEditors,
      serverRoot: PageConfig.getOption('serverRoot'),
      chooseProject: docManager
        ? async () => {
            const result = await FileDialog.getExistingDirectory({
              manager: docManager,
              title: trans.__('Choose a project folder'),
              translator: translator ?? nullTranslator
            });
            const folder = result.button.accept ? result.value?.[0] : undefined;
            return folder ? folder.path : null;
          }
        : null,
      // The step properties' environment pickers list the project's environments.
      environmentsChanged: () => tracker.forEach(widget => void widget.controller.refreshEnvironments())
    });
    addEnvironmentCommands(app.commands, environments);
    const jobs = createJobsManager({
      api,
      events,
      commands: app.commands,
      shell: app.shell,
      tracker,
      trans,
      languageCode: (translator ?? nullTranslator).languageCode
    });
    const sidebar = new OrchestSidebar({
      api,
      events,
      tracker: pipelines,
      commands: app.commands,
      trans,
      environments,
      jobs
    });
    app.shell.add(sidebar, 'left', { rank: 650 });
    if (restorer) {
      restorer.add(sidebar, sidebar.id);
    }

    // Edit → Undo / Redo act on the pipeline editor too.
    if (mainMenu) {
      const isEditor = (widget: unknown): boolean =>
        widget instanceof PipelineEditorWidget && tracker.has(widget);
      mainMenu.editMenu.undoers.undo.add({ id: CommandIDs.undo, isEnabled: isEditor });
      mainMenu.editMenu.undoers.redo.add({ id: CommandIDs.redo, isEnabled: isEditor });
    }

    // A notebook's toolbar runs it as a step of its pipeline.
    app.docRegistry.addWidgetExtension('Notebook', {
      createNew: (panel: DocumentWidget) => {
        const button = new ToolbarButton({
          icon: pipelineIcon,
          tooltip: trans.__('Run this notebook as a step of its pipeline (with its incoming steps)'),
          onClick: () =>
            void app.commands.execute(CommandIDs.runStepFileWithIncoming, { path: panel.context.path })
        });
        panel.toolbar.insertAfter('cellType', 'orchestRunStep', button);
        return button;
      }
    });

    if (launcher) {
      launcher.add({ command: CommandIDs.newPipeline, category: trans.__('Other'), rank: 3 });
    }
    if (palette) {
      const category = trans.__('Orchest');
      for (const command of [
        CommandIDs.newPipeline,
        CommandIDs.runAll,
        CommandIDs.runSelected,
        CommandIDs.runIncoming,
        CommandIDs.cancelRun,
        CommandIDs.startSession,
        CommandIDs.stopSession,
        CommandIDs.addStep,
        CommandIDs.autoLayout,
        CommandIDs.toggleLog,
        CommandIDs.validate
      ]) {
        palette.addItem({ command, category, args: { isPalette: true } });
      }
    }
  }
};

export default plugin;
