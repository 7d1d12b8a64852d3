/**
 * The pipeline editor: the `.orchest` file type, the editor as its default
 * widget (the text editor stays under Open With), the read-only views of past
 * runs, and the tracker of both. Settings: schema/editor.json.
 */

import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IEditorServices as ICodeEditorServices } from '@jupyterlab/codeeditor';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { CommandIDs } from '../commands/ids';
import { populateRunViewToolbar, populateToolbar } from '../commands/toolbar';
import { addPipelineFileType, PIPELINE_FILE_TYPE, registerEditorLanguage } from '../editor/filetype';
import { RunViewController } from '../editor/runview';
import { DEFAULT_SETTINGS, IEditorServices, IEditorSettings, PIPELINE_EDITOR_FACTORY } from '../editor/services';
import { PipelineTracker } from '../editor/tracker';
import { PipelineEditorFactory, RunViewWidget } from '../editor/widget';
import { pickStepFile } from '../filedialogs';
import { pipelineIcon, runIcon } from '../icons';
import { openNotebooks } from '../notebooks/documents';
import { staticNotebookViewer } from '../notebooks/view';
import { IOrchestClient, IPipelineTracker } from '../tokens';

const PLUGIN_ID = 'orchest-jlab:editor';

/**
 * The editor's settings, kept current (the defaults until they are read).
 */
function editorSettings(registry: ISettingRegistry | null): () => IEditorSettings {
  let settings: IEditorSettings = { ...DEFAULT_SETTINGS };
  void registry
    ?.load(PLUGIN_ID)
    .then(loaded => {
      const update = (): void => {
        settings = { ...DEFAULT_SETTINGS, ...(loaded.composite as Partial<IEditorSettings>) };
      };
      update();
      loaded.changed.connect(update);
    })
    .catch(reason => console.warn('orchest-jlab: cannot load the settings', reason));
  return () => settings;
}

export const editorPlugin: JupyterFrontEndPlugin<IPipelineTracker> = {
  id: PLUGIN_ID,
  description: 'The .orchest file type, the pipeline editor and the read-only views of past runs.',
  autoStart: true,
  requires: [IOrchestClient],
  optional: [
    IEditorLanguageRegistry,
    ITranslator,
    ISettingRegistry,
    ILayoutRestorer,
    IDocumentManager,
    IRenderMimeRegistry,
    ICodeEditorServices
  ],
  provides: IPipelineTracker,
  activate: (
    app: JupyterFrontEnd,
    client: IOrchestClient,
    languages: IEditorLanguageRegistry | null,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null,
    restorer: ILayoutRestorer | null,
    docManager: IDocumentManager | null,
    rendermime: IRenderMimeRegistry | null,
    codeEditors: ICodeEditorServices | null
  ): IPipelineTracker => {
    const translation = translator ?? nullTranslator;
    const trans = translation.load('orchest_jlab');
    addPipelineFileType(app.docRegistry, trans);
    if (languages) {
      try {
        registerEditorLanguage(languages);
      } catch (reason) {
        // Highlighting is a nicety: never lose the file type over it.
        console.warn('orchest-jlab: no JSON highlighting of .orchest files', reason);
      }
    }

    const services: IEditorServices = {
      api: client.api,
      events: client.events,
      sessions: client.sessions,
      commands: app.commands,
      contents: app.serviceManager.contents,
      kernelspecs: app.serviceManager.kernelspecs,
      trans,
      settings: editorSettings(settingRegistry),
      notebooks: docManager ? openNotebooks(docManager, trans) : null,
      pickFile: docManager ? (title, path) => pickStepFile(docManager, translation, title, path) : null,
      showNotebook:
        rendermime && codeEditors
          ? staticNotebookViewer(app.shell, { rendermime, editorServices: codeEditors, translator: translation })
          : null
    };

    const tracker = new PipelineTracker({
      shell: app.shell,
      createRunView: runUuid => {
        client.events.start();
        const view = new RunViewWidget(new RunViewController(runUuid, services), trans);
        view.title.icon = runIcon;
        populateRunViewToolbar(view, app.commands, trans);
        return view;
      }
    });
    const factory = new PipelineEditorFactory({
      name: PIPELINE_EDITOR_FACTORY,
      label: trans.__('Pipeline Editor'),
      fileTypes: [PIPELINE_FILE_TYPE],
      defaultFor: [PIPELINE_FILE_TYPE],
      modelName: 'text',
      translator: translation,
      services,
      populateToolbar: editor => populateToolbar(editor, app.commands, trans)
    });
    factory.widgetCreated.connect((_, editor) => {
      editor.title.icon = pipelineIcon;
      tracker.addEditor(editor);
      editor.disposed.connect(() => {
        const path = editor.context.path;
        // Another editor of the same pipeline still uses the session.
        const others = tracker.editors.find(other => other !== editor && !other.isDisposed && other.context.path === path);
        if (services.settings().shutdownSessionOnClose && !others) {
          client.sessions.stop(path).catch(error => console.warn('orchest-jlab: cannot stop the session of', path, error));
        }
      });
    });
    app.docRegistry.addWidgetFactory(factory);

    if (restorer) {
      void restorer.restore(tracker.editors, {
        command: 'docmanager:open',
        args: editor => ({ path: editor.context.path, factory: PIPELINE_EDITOR_FACTORY }),
        name: editor => editor.context.path
      });
      void restorer.restore(tracker.runViews, {
        command: CommandIDs.openRun,
        args: view => ({ runUuid: view.controller.runUuid }),
        name: view => view.controller.runUuid
      });
    }
    return tracker;
  }
};
