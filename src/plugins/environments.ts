/**
 * Environments: the environments section of the Orchest sidebar (those of
 * the current pipeline's project, or of a chosen folder), their setup script
 * editors and build logs; and that project's environment variables. The setup script's Save shortcut:
 * schema/environments.json.
 */

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IEditorServices as ICodeEditorServices } from '@jupyterlab/codeeditor';
import { PageConfig } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { addEnvironmentCommands, createEnvironmentsSection, EnvironmentsManager } from '../environments';
import { createProjectVariablesSection } from '../envvars/section';
import { pickFolder } from '../filedialogs';
import { IOrchestClient, IOrchestSidebar, IPipelineTracker } from '../tokens';

export const environmentsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-jlab:environments',
  description: "Orchest's environments: properties, setup scripts, image builds.",
  autoStart: true,
  requires: [IOrchestClient, IPipelineTracker, IOrchestSidebar],
  optional: [ITranslator, IDocumentManager, ICodeEditorServices],
  activate: (
    app: JupyterFrontEnd,
    client: IOrchestClient,
    pipelines: IPipelineTracker,
    sidebar: IOrchestSidebar,
    translator: ITranslator | null,
    docManager: IDocumentManager | null,
    codeEditors: ICodeEditorServices | null
  ): void => {
    const translation = translator ?? nullTranslator;
    const trans = translation.load('orchest_jlab');
    const { api, events } = client;
    const environments = new EnvironmentsManager({
      api,
      events,
      trans,
      shell: app.shell,
      editorServices: codeEditors,
      serverRoot: PageConfig.getOption('serverRoot'),
      chooseProject: docManager ? () => pickFolder(docManager, translation, trans.__('Choose a project folder')) : null,
      // The step properties' environment pickers list the project's environments.
      environmentsChanged: () => pipelines.editors.forEach(editor => void editor.controller.projectEnvironments.refresh(editor.controller.path))
    });
    addEnvironmentCommands(app.commands, environments);
    sidebar.addSection({
      id: 'orchest-jlab-sidebar-environments',
      title: trans.__('Environments'),
      rank: 400,
      widget: createEnvironmentsSection({ manager: environments, events, tracker: pipelines })
    });
    sidebar.addSection({
      id: 'orchest-jlab-sidebar-env-variables',
      title: trans.__('Project environment variables'),
      rank: 500,
      widget: createProjectVariablesSection(api, pipelines.editors, trans)
    });
  }
};
