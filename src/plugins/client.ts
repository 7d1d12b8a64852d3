/**
 * The client of the Orchest server: its REST API, its websocket events and
 * the interactive sessions, shared by every other plugin.
 */

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

import { OrchestAPI } from '../api';
import { EventsClient } from '../events';
import { SessionTracker } from '../sessions';
import { IOrchestClient } from '../tokens';

export const clientPlugin: JupyterFrontEndPlugin<IOrchestClient> = {
  id: 'orchest-jlab:client',
  description: "The Orchest server's REST API, websocket events and interactive sessions.",
  autoStart: true,
  provides: IOrchestClient,
  activate: (app: JupyterFrontEnd): IOrchestClient => {
    const serverSettings = app.serviceManager.serverSettings;
    const api = new OrchestAPI({ serverSettings });
    // The websocket opens when a view first needs live states (events.start()).
    const events = new EventsClient({ serverSettings });
    return { api, events, sessions: new SessionTracker(api, events) };
  }
};
