/**
 * Jobs: the jobs section of the Orchest sidebar (the jobs of the pipeline in
 * the current editor) and the job pages and forms it opens.
 */

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { createJobsManager, createJobsSection } from '../jobs';
import { IOrchestClient, IOrchestSidebar, IPipelineTracker } from '../tokens';

export const jobsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-jlab:jobs',
  description: 'Jobs of Orchest pipelines: parameter grids, schedules, their runs.',
  autoStart: true,
  requires: [IOrchestClient, IPipelineTracker, IOrchestSidebar],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    client: IOrchestClient,
    pipelines: IPipelineTracker,
    sidebar: IOrchestSidebar,
    translator: ITranslator | null
  ): void => {
    const translation = translator ?? nullTranslator;
    const trans = translation.load('orchest_jlab');
    const jobs = createJobsManager({
      api: client.api,
      events: client.events,
      commands: app.commands,
      shell: app.shell,
      tracker: pipelines.editors,
      trans,
      languageCode: translation.languageCode
    });
    sidebar.addSection({ id: 'orchest-jlab-sidebar-jobs', title: trans.__('Jobs'), rank: 200, widget: createJobsSection(jobs) });
  }
};
