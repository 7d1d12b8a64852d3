/**
 * The jobs section of the Orchest sidebar: the jobs of the pipeline open in
 * the current editor, with their status, next run and run counts, kept live
 * by job events; a button to make a new job of that pipeline.
 */

import { addIcon, ReactWidget, refreshIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { IJob } from '../api';
import { RelativeTime } from '../components/time';
import { clickable, useJobEvents, useReload } from './hooks';
import { jobStatusLabel } from '../status';
import { describeCounts } from './labels';
import { applyToList } from './live';
import { JobsManager } from './manager';

/** The pipeline of the current editor: its path and name, or null. */
function useCurrentPipeline(manager: JobsManager): { path: string; name: string } | null {
  const { tracker } = manager;
  const read = (): { path: string; name: string } | null => {
    const widget = tracker.currentWidget;
    if (!widget) {
      return null;
    }
    const path = widget.controller.path;
    return { path, name: widget.controller.model?.name || path };
  };
  const [current, setCurrent] = React.useState(read);
  React.useEffect(() => {
    const update = (): void => setCurrent(read());
    tracker.currentChanged.connect(update);
    const widget = tracker.currentWidget;
    widget?.context.ready.then(update).catch(() => undefined);
    widget?.context.pathChanged.connect(update);
    return () => {
      tracker.currentChanged.disconnect(update);
      widget?.context.pathChanged.disconnect(update);
    };
  }, [tracker, tracker.currentWidget]);
  return current;
}

/**
 * The jobs section.
 */
function JobsSection(props: { manager: JobsManager }): JSX.Element {
  const { manager } = props;
  const { api, trans } = manager;
  const pipeline = useCurrentPipeline(manager);
  const path = pipeline?.path ?? null;
  const [jobs, setJobs] = React.useState<IJob[]>([]);
  const [error, setError] = React.useState<string | null>(null);
  const [version, reloadLater, reloadNow] = useReload();

  React.useEffect(() => {
    let cancelled = false;
    if (!path) {
      setJobs([]);
      return;
    }
    api
      .listJobs(path)
      .then(list => {
        if (!cancelled) {
          setJobs(list);
          setError(null);
        }
      })
      .catch(e => !cancelled && setError((e as Error).message));
    return () => {
      cancelled = true;
    };
  }, [api, path, version]);

  useJobEvents(
    manager.events,
    event => {
      setJobs(current => {
        const applied = applyToList(current, event);
        if (applied.reload) {
          reloadLater();
        }
        return applied.value;
      });
    },
    reloadNow
  );

  return (
    <section className="jp-OrchestSidebar-section jp-OrchestJobs-section">
      <header className="jp-OrchestSidebar-header">
        <h3>{pipeline ? trans.__('Jobs of %1', pipeline.name) : trans.__('Jobs')}</h3>
        <button
          className="jp-OrchestSidebar-button jp-OrchestJobs-new"
          title={trans.__('New job of this pipeline')}
          disabled={!pipeline}
          onClick={() => pipeline && manager.openNewJob(pipeline.path, pipeline.name)}
        >
          <addIcon.react tag="span" />
        </button>
        <button className="jp-OrchestSidebar-button" title={trans.__('Refresh')} onClick={reloadNow}>
          <refreshIcon.react tag="span" />
        </button>
      </header>
      {error ? <div className="jp-OrchestSidebar-error">{error}</div> : null}
      {!pipeline ? (
        <div className="jp-OrchestSidebar-empty">{trans.__('Open a pipeline to see its jobs.')}</div>
      ) : !jobs.length ? (
        <div className="jp-OrchestSidebar-empty">{trans.__('No jobs yet.')}</div>
      ) : null}
      <ul className="jp-OrchestSidebar-list jp-OrchestJobs-list">
        {jobs.map(job => (
          <li
            key={job.uuid}
            className="jp-OrchestSidebar-item jp-OrchestJobs-item"
            data-job={job.uuid}
            data-status={job.status}
            title={trans.__('Open this job')}
            role="button"
            {...clickable(() => manager.openJob(job.uuid, job.name))}
          >
            <span className={`jp-OrchestRunStatus-dot jp-mod-${job.status.toLowerCase()}`} />
            <div className="jp-OrchestJobs-itemBody">
              <div className="jp-OrchestJobs-itemLine">
                <span className="jp-OrchestSidebar-name">{job.name}</span>
                <span className="jp-OrchestSidebar-meta jp-OrchestJobs-status">
                  {jobStatusLabel(trans, job.status)}
                </span>
              </div>
              <div className="jp-OrchestSidebar-meta jp-OrchestJobs-counts">{describeCounts(trans, job.counts)}</div>
              {job.next_fire ? (
                <div className="jp-OrchestSidebar-meta jp-OrchestJobs-next">
                  {trans.__('Next run:')} <RelativeTime value={job.next_fire} />
                </div>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * The section's widget (in the Orchest sidebar).
 */
export function createJobsSection(manager: JobsManager): Widget {
  return ReactWidget.create(<JobsSection manager={manager} />);
}
