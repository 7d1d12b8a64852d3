/**
 * The Orchest sidebar (left area): the pipelines under the server's root, the
 * runs of the pipeline open in the current editor, and the environments of its
 * project.
 */

import { WidgetTracker } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, ReactWidget, refreshIcon } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { IPipelineSummary, IRun, OrchestAPI } from './api';
import { CommandIDs } from './commands';
import { PipelineWidget, RunViewWidget } from './editor/widget';
import { durationSeconds, formatDuration, isSamePath } from './editor/runstate';
import { EnvironmentsManager, EnvironmentsSection } from './environments';
import { EventsClient, OrchestEvent } from './events';
import { pipelineIcon } from './icons';
import { runStatusLabel } from './status';
import { JobsManager, JobsSection } from './jobs';

interface ISidebarProps {
  api: OrchestAPI;
  events: EventsClient;
  /** The pipeline widgets (editors and run views): the runs of the current one are listed. */
  tracker: WidgetTracker<PipelineWidget>;
  commands: CommandRegistry;
  trans: TranslationBundle;
  environments: EnvironmentsManager;
  /** The jobs panel (the section of the current pipeline's jobs). */
  jobs?: JobsManager;
}

function PipelinesSection(props: ISidebarProps & { version: number }): JSX.Element {
  const { api, commands, trans, version } = props;
  const [pipelines, setPipelines] = React.useState<IPipelineSummary[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [reload, setReload] = React.useState(0);
  React.useEffect(() => {
    let cancelled = false;
    api
      .listPipelines()
      .then(list => {
        if (!cancelled) {
          setPipelines(list);
          setError(null);
        }
      })
      .catch(e => !cancelled && setError((e as Error).message));
    return () => {
      cancelled = true;
    };
  }, [api, reload, version]);
  return (
    <section className="jp-OrchestSidebar-section">
      <header className="jp-OrchestSidebar-header">
        <h3>{trans.__('Pipelines')}</h3>
        <button
          className="jp-OrchestSidebar-button"
          title={trans.__('New pipeline')}
          onClick={() => void commands.execute(CommandIDs.newPipeline)}
        >
          <addIcon.react tag="span" />
        </button>
        <button
          className="jp-OrchestSidebar-button"
          title={trans.__('Refresh')}
          onClick={() => setReload(reload + 1)}
        >
          <refreshIcon.react tag="span" />
        </button>
      </header>
      {error ? <div className="jp-OrchestSidebar-error">{error}</div> : null}
      {pipelines && !pipelines.length ? (
        <div className="jp-OrchestSidebar-empty">{trans.__('No pipelines (.orchest files) yet.')}</div>
      ) : null}
      <ul className="jp-OrchestSidebar-list jp-OrchestSidebar-pipelines">
        {(pipelines ?? []).map(p => (
          <li
            key={p.path}
            className="jp-OrchestSidebar-item"
            title={p.path}
            onClick={() => void commands.execute('docmanager:open', { path: p.path })}
          >
            <pipelineIcon.react tag="span" className="jp-OrchestSidebar-icon" />
            <span className="jp-OrchestSidebar-name">{p.name}</span>
            <span className="jp-OrchestSidebar-meta">
              {p.error_count
                ? trans._n('%1 error', '%1 errors', p.error_count)
                : trans._n('%1 step', '%1 steps', p.step_count)}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function RunsSection(props: ISidebarProps & { version: number }): JSX.Element {
  const { api, tracker, trans, version } = props;
  const widget = tracker.currentWidget;
  const path = widget?.controller.path ?? null;
  const [runs, setRuns] = React.useState<IRun[]>([]);
  React.useEffect(() => {
    let cancelled = false;
    if (!path) {
      setRuns([]);
      return;
    }
    api
      .listRuns({ pipeline: path, limit: 30 })
      .then(list => !cancelled && setRuns(list))
      .catch(() => !cancelled && setRuns([]));
    return () => {
      cancelled = true;
    };
  }, [api, path, version]);
  const shown = widget instanceof RunViewWidget ? widget.controller.runUuid : null;
  return (
    <section className="jp-OrchestSidebar-section">
      <header className="jp-OrchestSidebar-header">
        <h3>{path ? trans.__('Runs of %1', widget!.controller.model?.name || path) : trans.__('Runs')}</h3>
      </header>
      {!path ? (
        <div className="jp-OrchestSidebar-empty">{trans.__('Open a pipeline to see its runs.')}</div>
      ) : !runs.length ? (
        <div className="jp-OrchestSidebar-empty">{trans.__('No runs yet.')}</div>
      ) : null}
      <ul className="jp-OrchestSidebar-list jp-OrchestSidebar-runs">
        {runs.map(run => {
          const seconds = durationSeconds(run.started ?? run.created, run.finished, Date.now());
          return (
            <li
              key={run.uuid}
              className={`jp-OrchestSidebar-item ${shown === run.uuid ? 'jp-mod-selected' : ''}`}
              data-run={run.uuid}
              data-status={run.status}
              title={trans.__('Open this run read-only: its pipeline as it ran, states, logs and notebooks')}
              onClick={() => void props.commands.execute(CommandIDs.openRun, { runUuid: run.uuid })}
            >
              <span className={`jp-OrchestRunStatus-dot jp-mod-${run.status.toLowerCase()}`} />
              <span className="jp-OrchestSidebar-name">
                {new Date(run.created).toLocaleString()}
                {run.interactive ? '' : ` · ${trans.__('snapshot')}`}
              </span>
              <span className="jp-OrchestSidebar-meta">
                {runStatusLabel(trans, run.status)}
                {seconds !== null ? ` · ${formatDuration(seconds)}` : ''}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Sidebar(props: ISidebarProps): JSX.Element {
  const { events, tracker } = props;
  const [pipelinesVersion, setPipelinesVersion] = React.useState(0);
  const [runsVersion, setRunsVersion] = React.useState(0);
  React.useEffect(() => {
    let timer = 0;
    const bumpRuns = (): void => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => setRunsVersion(v => v + 1), 300);
    };
    const onEvent = (_: EventsClient, event: OrchestEvent): void => {
      if (
        event.type === 'log' ||
        event.type === 'step' ||
        event.type === 'build' ||
        event.type === 'environment' ||
        event.type === 'session'
      ) {
        return;
      }
      const path = tracker.currentWidget?.controller.path;
      if (event.type === 'run-created' && path) {
        if (isSamePath(event.pipeline_path, path)) {
          bumpRuns();
        }
        return;
      }
      bumpRuns();
    };
    const onCurrent = (): void => {
      bumpRuns();
      // A run view knows its pipeline once it has read the run.
      const current = tracker.currentWidget;
      if (current instanceof RunViewWidget) {
        void current.controller.ready.then(bumpRuns);
      }
    };
    events.received.connect(onEvent);
    tracker.currentChanged.connect(onCurrent);
    // Saved pipelines change names and step counts.
    const onSaved = (): void => setPipelinesVersion(v => v + 1);
    const watch = (w: PipelineWidget): void => {
      if (!(w instanceof RunViewWidget)) {
        w.context.fileChanged.connect(onSaved);
      }
    };
    tracker.widgetAdded.connect((_, w) => watch(w));
    tracker.forEach(watch);
    return () => {
      window.clearTimeout(timer);
      events.received.disconnect(onEvent);
      tracker.currentChanged.disconnect(onCurrent);
    };
  }, [events, tracker]);
  return (
    <div className="jp-OrchestSidebar">
      <PipelinesSection {...props} version={pipelinesVersion} />
      {props.jobs ? <JobsSection manager={props.jobs} /> : null}
      <RunsSection {...props} version={runsVersion} />
      <EnvironmentsSection manager={props.environments} events={events} tracker={tracker} />
    </div>
  );
}

/**
 * The sidebar widget.
 */
export class OrchestSidebar extends ReactWidget {
  constructor(private readonly _props: ISidebarProps) {
    super();
    this.id = 'orchest-jlab-sidebar';
    this.addClass('jp-OrchestSidebar-panel');
    this.title.icon = pipelineIcon;
    this.title.caption = _props.trans.__('Orchest pipelines');
  }

  render(): JSX.Element {
    return <Sidebar {...this._props} />;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    // Runs change live: listen to the events once the sidebar is shown.
    this._props.events.start();
  }
}
