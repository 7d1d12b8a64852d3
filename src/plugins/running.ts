/**
 * The interactive sessions in JupyterLab's Running panel, where JupyterLab
 * users look for what still runs (kernels, terminals).
 */

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IRunningSessionManagers } from '@jupyterlab/running';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { pipelineIcon } from '../icons';
import { OrchestSessionsManager } from '../running';
import { IOrchestClient } from '../tokens';

export const runningPlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-jlab:running',
  description: "The pipelines' interactive sessions as a section of the Running panel.",
  autoStart: true,
  requires: [IOrchestClient, IRunningSessionManagers],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    client: IOrchestClient,
    managers: IRunningSessionManagers,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('orchest_jlab');
    const manager = new OrchestSessionsManager({
      sessions: client.sessions,
      open: path => void app.commands.execute('docmanager:open', { path }),
      // Sessions outlive their editors (and pages): the section reads those the
      // server holds when first shown, then follows them live.
      follow: () => client.events.start(),
      icon: pipelineIcon,
      trans
    });
    managers.add(manager);
  }
};
