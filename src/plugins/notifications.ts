/**
 * Notifications: the webhooks section of the Orchest sidebar (rank 600), and
 * a JupyterLab notification when a run or a job of a pipeline open here
 * finishes while the user is not looking at it (another widget, another
 * browser tab).
 */

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { RunViewWidget } from '../editor/widget';
import { EventsClient, OrchestEvent } from '../events';
import { createNotificationsSection, FinishWatch, IFinished, IWhere, shouldTell } from '../notifications';
import { runStatusLabel } from '../status';
import { IOrchestClient, IOrchestSidebar, IPipelineTracker } from '../tokens';

export const notificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-jlab:notifications',
  description: 'Webhooks of job events per project, and browser notifications of finished runs and jobs.',
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
    const trans = (translator ?? nullTranslator).load('orchest_jlab');
    const { api, events } = client;
    sidebar.addSection({
      id: 'orchest-jlab-sidebar-notifications',
      title: trans.__('Notifications'),
      rank: 600,
      widget: createNotificationsSection({ api, events, tracker: pipelines, trans })
    });

    const watch = new FinishWatch();
    const where = (jobUuid?: string): IWhere => {
      const current = app.shell.currentWidget;
      const editor = pipelines.editors.currentWidget;
      const openPipelines = new Set<string>();
      pipelines.editors.forEach(e => void openPipelines.add(e.controller.path));
      const widgets = jobUuid ? Array.from(app.shell.widgets('main')) : [];
      return {
        widgetId: current?.id ?? null,
        editorPath: editor && editor === current && !(current instanceof RunViewWidget) ? editor.controller.path : null,
        hidden: document.hidden,
        openPipelines,
        jobPageOpen: widgets.some(w => w.id === `orchest-job:${jobUuid}`)
      };
    };
    const tell = async (finished: IFinished): Promise<void> => {
      const job = finished.kind === 'job' ? await api.getJob(finished.uuid).catch(() => null) : null;
      if (job) {
        finished = { ...finished, name: job.name, pipelinePath: job.pipeline_path };
      }
      if (!shouldTell(finished, where(finished.kind === 'job' ? finished.uuid : undefined))) {
        return;
      }
      const notify =
        finished.status === 'SUCCESS' ? Notification.success : finished.status === 'FAILURE' ? Notification.error : Notification.warning;
      const status = runStatusLabel(trans, finished.status as Parameters<typeof runStatusLabel>[1]);
      if (finished.kind === 'run') {
        notify(trans.__('The run of “%1” ended: %2', finished.name, status), {
          autoClose: 10000,
          actions: [{ label: trans.__('Open'), callback: () => void pipelines.openRun(finished.uuid) }]
        });
      } else {
        notify(trans.__('The job “%1” ended: %2', finished.name || finished.uuid, status), { autoClose: 10000 });
      }
    };
    events.received.connect((_: EventsClient, event: OrchestEvent) => {
      const finished = watch.take(event);
      if (finished) {
        void tell(finished);
      }
    });
  }
};
