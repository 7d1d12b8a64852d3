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
      icon: pipelineIcon,
      trans
    });
    managers.add(manager);
    // Sessions outlive their editors (and pages): list those the server holds,
    // and follow them live when there are any.
    client.sessions
      .refreshAll()
      .then(active => active.length && client.events.start())
      .catch(error => console.warn('orchest-jlab: cannot list the sessions', error));
  }
};
