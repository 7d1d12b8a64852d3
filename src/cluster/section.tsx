/**
 * The cluster section of the Orchest sidebar, when the server's backend runs
 * steps on a cluster (dask, docs/dask.md): its scheduler, a link to its
 * dashboard through the Jupyter server, and its workers with their threads,
 * memory, resources, status and the steps they run now. Read again every few
 * seconds while the sidebar shows it, and on Refresh.
 */

import { TranslationBundle } from '@jupyterlab/translation';
import { launchIcon, ReactWidget, refreshIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { IClusterInfo, IClusterWorker, OrchestAPI } from '../api';
import { IconButton } from '../components/iconbutton';
import { formatBytes, formatResources } from './format';

/** How often the section reads the cluster again while it is visible. */
const REFRESH_MS = 5000;

interface IProps {
  api: OrchestAPI;
  /** The answer that made the plugin add the section. */
  first: IClusterInfo;
  trans: TranslationBundle;
}

function Worker(props: { worker: IClusterWorker; trans: TranslationBundle }): JSX.Element {
  const { worker, trans } = props;
  const details = [
    worker.threads !== null ? trans._n('%1 thread', '%1 threads', worker.threads) : null,
    worker.memory ? formatBytes(worker.memory) : null,
    formatResources(worker.resources) || null
  ].filter(Boolean);
  return (
    <li className="jp-OrchestClusterWorker" data-worker={worker.address} title={worker.address}>
      <span className={`jp-OrchestRunStatus-dot jp-OrchestClusterWorker-dot jp-mod-${worker.status}`} />
      <span className="jp-OrchestSidebar-name">{worker.name}</span>
      <span className="jp-OrchestSidebar-meta">
        {worker.status === 'running' ? trans._n('%1 step now', '%1 steps now', worker.executing) : worker.status}
      </span>
      <span className="jp-OrchestClusterWorker-details">{details.join(' · ')}</span>
    </li>
  );
}

function ClusterSection(props: IProps): JSX.Element {
  const { api, first, trans } = props;
  const [info, setInfo] = React.useState<IClusterInfo>(first);
  const [error, setError] = React.useState<string | null>(null);
  const node = React.useRef<HTMLElement>(null);
  const read = React.useCallback(() => {
    api
      .getCluster()
      .then(found => {
        setInfo(found);
        setError(null);
      })
      .catch(e => setError((e as Error).message));
  }, [api]);
  React.useEffect(() => {
    const timer = window.setInterval(() => {
      // Only while the sidebar shows it (an element not rendered has no box).
      if (node.current?.offsetParent && !document.hidden) {
        read();
      }
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [read]);
  const cluster = info.cluster;
  return (
    <section ref={node} className="jp-OrchestSidebar-section jp-OrchestCluster">
      <header className="jp-OrchestSidebar-header">
        <h3>{trans.__('Cluster')}</h3>
        {cluster?.dashboard_url ? (
          <a
            className="jp-OrchestCluster-dashboard"
            href={cluster.dashboard_url}
            target="_blank"
            rel="noopener noreferrer"
            title={trans.__('Open the Dask dashboard in a new browser tab')}
          >
            <launchIcon.react tag="span" className="jp-OrchestSidebar-icon" />
            {trans.__('Dashboard')}
          </a>
        ) : null}
        <IconButton icon={refreshIcon} action="refresh" title={trans.__('Refresh')} onClick={read} />
      </header>
      {error || info.problem ? <div className="jp-OrchestSidebar-error">{error || info.problem}</div> : null}
      {cluster ? (
        <>
          <div className="jp-OrchestCluster-scheduler" title={trans.__('The Dask scheduler of the %1 backend', info.backend)}>
            {cluster.local
              ? trans.__('%1 backend, a local cluster at %2', info.backend, cluster.scheduler)
              : trans.__('%1 backend, scheduler %2', info.backend, cluster.scheduler)}
          </div>
          {cluster.workers.length === 0 ? (
            <div className="jp-OrchestSidebar-empty">{trans.__('No worker is connected: steps wait for one.')}</div>
          ) : null}
          <ul className="jp-OrchestClusterWorkers" aria-label={trans.__('Workers')}>
            {cluster.workers.map(w => (
              <Worker key={w.address} worker={w} trans={trans} />
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/**
 * The cluster section, as a widget for the Orchest sidebar.
 */
export function createClusterSection(props: IProps): Widget {
  const widget = ReactWidget.create(<ClusterSection {...props} />);
  widget.addClass('jp-OrchestCluster-widget');
  return widget;
}
