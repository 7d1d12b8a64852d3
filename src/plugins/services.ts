/**
 * Orchest's services in JupyterLab tabs: a service's URL (an iframe through
 * the Jupyter server's authenticated proxy) and its live log
 * (src/services/tabs.ts). The services section of the pipeline's properties
 * is the editor's (src/services/section.tsx); it opens them with these
 * commands.
 */

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { addServiceCommands } from '../services/tabs';
import { IOrchestClient } from '../tokens';

export const servicesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-jlab:services',
  description: "Orchest's services: their URLs and logs in tabs.",
  autoStart: true,
  requires: [IOrchestClient],
  optional: [ITranslator],
  activate: (app: JupyterFrontEnd, client: IOrchestClient, translator: ITranslator | null): void => {
    const trans = (translator ?? nullTranslator).load('orchest_jlab');
    addServiceCommands(app, client, trans);
  }
};
