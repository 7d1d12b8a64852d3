/**
 * The cluster section of the Orchest sidebar (rank 700), added when the
 * server's backend runs steps on a cluster (dask): `GET cluster` says so.
 */

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { createClusterSection } from '../cluster/section';
import { IOrchestClient, IOrchestSidebar } from '../tokens';

export const clusterPlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-jlab:cluster',
  description: "The cluster of the server's backend (dask): its workers and dashboard, in the Orchest sidebar.",
  autoStart: true,
  requires: [IOrchestClient, IOrchestSidebar],
  optional: [ITranslator],
  activate: (app: JupyterFrontEnd, client: IOrchestClient, sidebar: IOrchestSidebar, translator: ITranslator | null): void => {
    const trans = (translator ?? nullTranslator).load('orchest_jlab');
    void client.api
      .getCluster()
      .then(first => {
        if (first.cluster === null && first.problem === null) {
          return; // a backend without a cluster: no section
        }
        sidebar.addSection({
          id: 'orchest-jlab-sidebar-cluster',
          title: trans.__('Cluster'),
          rank: 700,
          widget: createClusterSection({ api: client.api, first, trans })
        });
      })
      .catch(() => undefined); // an older server without the route
  }
};
