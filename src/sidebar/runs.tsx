/**
 * The runs section of the Orchest sidebar: the runs of the pipeline in the
 * current editor or run view, kept current by the run events.
 */

import { IWidgetTracker } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { IRun, OrchestAPI, RunType } from '../api';
import { CommandIDs } from '../commands/ids';
import { RelativeTime } from '../components/time';
import { durationSeconds, formatDuration, isSamePath } from '../editor/runstate';
import { runName } from '../editor/runview';
import { PipelineWidget, RunViewWidget } from '../editor/widget';
import { EventsClient, OrchestEvent } from '../events';
import { runStatusLabel } from '../status';

interface IRunsProps {
  api: OrchestAPI;
  events: EventsClient;
  commands: CommandRegistry;
  /** The pipeline widgets (editors and run views): the runs of the current one are listed. */
  tracker: IWidgetTracker<PipelineWidget>;
  trans: TranslationBundle;
}

/**
 * A number that changes when the runs of the current pipeline may have: a
 * run event, or another pipeline becoming current.
 */
function useRunChanges(events: EventsClient, tracker: IWidgetTracker<PipelineWidget>): number {
  const [version, setVersion] = React.useState(0);
  React.useEffect(() => {
    let timer = 0;
    const bump = (): void => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => setVersion(v => v + 1), 300);
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
      if (event.type === 'run-created' && path && !isSamePath(event.pipeline_path, path)) {
        return;
      }
      bump();
    };
    const onCurrent = (): void => {
      bump();
      // A run view knows its pipeline once it has read the run.
      const current = tracker.currentWidget;
      if (current instanceof RunViewWidget) {
        void current.controller.ready.then(bump);
      }
    };
    events.received.connect(onEvent);
    tracker.currentChanged.connect(onCurrent);
    return () => {
      window.clearTimeout(timer);
      events.received.disconnect(onEvent);
      tracker.currentChanged.disconnect(onCurrent);
    };
  }, [events, tracker]);
  return version;
}

function RunsSection(props: IRunsProps): JSX.Element {
  const { api, commands, tracker, trans } = props;
  const version = useRunChanges(props.events, tracker);
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
              className={`jp-OrchestSidebar-item jp-OrchestRuns-item ${shown === run.uuid ? 'jp-mod-selected' : ''}`}
              data-run={run.uuid}
              data-status={run.status}
              title={trans.__('Open this run read-only: its pipeline as it ran, states, logs and notebooks')}
              onClick={() => void commands.execute(CommandIDs.openRun, { runUuid: run.uuid })}
            >
              <span className={`jp-OrchestRunStatus-dot jp-mod-${run.status.toLowerCase()}`} />
              <span className="jp-OrchestRuns-itemBody">
                <span className="jp-OrchestRuns-itemLine">
                  <span className="jp-OrchestSidebar-name">{trans.__('Run %1', runName(run))}</span>
                  <span className="jp-OrchestSidebar-meta jp-OrchestRuns-status">{runStatusLabel(trans, run.status)}</span>
                </span>
                <span className="jp-OrchestSidebar-meta jp-OrchestRuns-kind">
                  <RelativeTime value={run.created} />
                  {' · '}
                  {run.interactive ? trans.__('Interactive') : trans.__('Snapshot')}
                  {run.run_type !== 'full' ? ` · ${runTypeLabel(trans, run.run_type)}` : ''}
                  {seconds !== null ? ` · ${formatDuration(seconds)}` : ''}
                </span>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** A partial run's type in words (a full run says nothing). */
function runTypeLabel(trans: TranslationBundle, type: RunType): string {
  return type === 'selection' ? trans.__('selected steps') : trans.__('incoming steps');
}

/**
 * The section's widget.
 */
export function createRunsSection(props: IRunsProps): Widget {
  return ReactWidget.create(<RunsSection {...props} />);
}
