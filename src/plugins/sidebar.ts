/**
 * The Orchest sidebar (left area), the `IOrchestSidebar` token to which the
 * jobs and environments plugins add their sections, and its own sections:
 * the pipelines under the server's root and the runs of the current one.
 *
 * Ranks of the sections: pipelines 100, jobs 200, runs 300, environments 400,
 * notifications 600, cluster 700 (only on a backend with a cluster).
 */

import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { OrchestSidebar } from '../sidebar/panel';
import { createPipelinesSection } from '../sidebar/pipelines';
import { createRunsSection } from '../sidebar/runs';
import { IOrchestClient, IOrchestSidebar, IPipelineTracker } from '../tokens';

export const sidebarPlugin: JupyterFrontEndPlugin<IOrchestSidebar> = {
  id: 'orchest-jlab:sidebar',
  description: 'The Orchest sidebar: pipelines, runs, and the sections other plugins add.',
  autoStart: true,
  requires: [IOrchestClient, IPipelineTracker],
  optional: [ITranslator, ILayoutRestorer],
  provides: IOrchestSidebar,
  activate: (
    app: JupyterFrontEnd,
    client: IOrchestClient,
    pipelines: IPipelineTracker,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null
  ): IOrchestSidebar => {
    const trans = (translator ?? nullTranslator).load('orchest_jlab');
    const { api, events } = client;
    const { commands } = app;
    const sidebar = new OrchestSidebar({ events, trans });
    sidebar.addSection({
      id: 'orchest-jlab-sidebar-pipelines',
      title: trans.__('Pipelines'),
      rank: 100,
      widget: createPipelinesSection({
        api,
        commands,
        contents: app.serviceManager.contents,
        editors: pipelines.editors,
        sessions: client.sessions,
        trans
      })
    });
    sidebar.addSection({
      id: 'orchest-jlab-sidebar-runs',
      title: trans.__('Runs'),
      rank: 300,
      widget: createRunsSection({ api, events, commands, tracker: pipelines, trans })
    });
    app.shell.add(sidebar, 'left', { rank: 650 });
    restorer?.add(sidebar, sidebar.id);
    return sidebar;
  }
};
