/**
 * orchest-jlab's JupyterLab plugins (src/plugins/), and the tokens they
 * provide, for other extensions.
 */

import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { clientPlugin } from './plugins/client';
import { clusterPlugin } from './plugins/cluster';
import { commandsPlugin } from './plugins/commands';
import { editorPlugin } from './plugins/editor';
import { environmentsPlugin } from './plugins/environments';
import { jobsPlugin } from './plugins/jobs';
import { notebooksPlugin } from './plugins/notebooks';
import { runningPlugin } from './plugins/running';
import { servicesPlugin } from './plugins/services';
import { notificationsPlugin } from './plugins/notifications';
import { sidebarPlugin } from './plugins/sidebar';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [
  clientPlugin,
  editorPlugin,
  commandsPlugin,
  sidebarPlugin,
  jobsPlugin,
  environmentsPlugin,
  notebooksPlugin,
  runningPlugin,
  servicesPlugin,
  notificationsPlugin,
  clusterPlugin
];

export default plugins;
