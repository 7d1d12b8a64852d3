/**
 * A job's view (in the main area): its status, schedule and next run, its
 * settings, its runs (index, parameters, status, duration; each opens
 * read-only), its history, and the actions it takes now. Kept live by job
 * events; the server's errors are shown in a dialog.
 */

import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { IJobRun, IJobWithRuns, JobAction } from '../api';
import { durationSeconds, formatDuration } from '../editor/runstate';
import { useNow } from '../editor/hooks';
import { availableActions, JOB_BUTTONS, JobButton } from './actions';
import { axesOf, describeParameters, ownerTitles, PIPELINE_KEY } from './grid';
import { clickable, useJobEvents, useReload } from './hooks';
import { jobStatusLabel, runStatusLabel } from '../status';
import { describeCounts, missedFiresLabel, overlapLabel, Translate } from './labels';
import { applyToJob } from './live';
import { JobsManager } from './manager';
import { describeSchedule, localTime } from './schedule';

function buttonLabel(trans: Translate, button: JobButton): string {
  const words: { [button in JobButton]: string } = {
    start: trans.__('Start'),
    edit: trans.__('Change'),
    pause: trans.__('Pause'),
    resume: trans.__('Resume'),
    trigger: trans.__('Run now'),
    cancel: trans.__('Cancel job'),
    duplicate: trans.__('Duplicate'),
    delete: trans.__('Delete')
  };
  return words[button];
}

function Settings(props: { trans: Translate; job: IJobWithRuns; titles: Map<string, string> }): JSX.Element {
  const { trans, job, titles } = props;
  const axes = axesOf(job.parameters);
  const env = Object.keys(job.env_variables);
  return (
    <dl className="jp-OrchestJobs-settings">
      <dt>{trans.__('Parameters')}</dt>
      <dd>
        {axes.length ? (
          <table className="jp-OrchestJobs-table">
            <tbody>
              {axes.map(axis => (
                <tr key={`${axis.owner}/${axis.name}`}>
                  <td>{axis.owner === PIPELINE_KEY ? trans.__('Pipeline') : titles.get(axis.owner) ?? axis.owner}</td>
                  <td className="jp-OrchestJobs-code">{axis.name}</td>
                  <td className="jp-OrchestJobs-code">{axis.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          trans.__('None')
        )}
        <div className="jp-OrchestJobs-hint">
          {trans._n('%1 combination', '%1 combinations', job.grid_size)}
          {job.deselected.length ? ` · ${trans._n('%1 deselected', '%1 deselected', job.deselected.length)}` : ''}
          {' · '}
          {trans._n('%1 run per fire', '%1 runs per fire', job.runs_per_fire)}
        </div>
      </dd>
      <dt>{trans.__('Environment variables')}</dt>
      <dd>
        {env.length
          ? env.map(name => (
              <div key={name} className="jp-OrchestJobs-code">
                {name}=••••••
              </div>
            ))
          : trans.__('None')}
      </dd>
      <dt>{trans.__('A fire while the earlier runs still run')}</dt>
      <dd>{overlapLabel(trans, job.overlap)}</dd>
      <dt>{trans.__('Fire times missed while the server was down')}</dt>
      <dd>{missedFiresLabel(trans, job.missed_fires)}</dd>
      <dt>{trans.__('Finished runs kept')}</dt>
      <dd>
        {job.max_retained_pipeline_runs === null
          ? trans.__('All')
          : trans.__('At most %1 (%2 deleted so far)', job.max_retained_pipeline_runs, job.runs_deleted)}
      </dd>
      <dt>{trans.__('Step cache')}</dt>
      <dd className="jp-OrchestJobs-cache">
        {job.cache ? trans.__('On: steps whose inputs are unchanged are not run again') : trans.__('Off')}
      </dd>
    </dl>
  );
}

function Runs(props: {
  manager: JobsManager;
  job: IJobWithRuns;
  titles: Map<string, string>;
}): JSX.Element {
  const { manager, job, titles } = props;
  const { trans } = manager;
  const running = job.runs.some(run => run.status === 'STARTED');
  const now = useNow(running);
  const open = (run: IJobRun): void => {
    if (run.run_uuid) {
      manager.openRun(run.run_uuid).catch(error => manager.showError(trans.__('Cannot open the run'), error));
    }
  };
  if (!job.runs.length) {
    return <div className="jp-OrchestJobs-hint">{trans.__('No runs yet.')}</div>;
  }
  const runs = [...job.runs].sort((a, b) => b.index - a.index);
  return (
    <table className="jp-OrchestJobs-table jp-OrchestJobs-runs">
      <thead>
        <tr>
          <th>#</th>
          <th>{trans.__('Parameters')}</th>
          <th>{trans.__('Status')}</th>
          <th>{trans.__('Duration')}</th>
        </tr>
      </thead>
      <tbody>
        {runs.map(run => (
          <tr
            key={run.index}
            data-index={run.index}
            data-status={run.status}
            className={run.run_uuid ? 'jp-OrchestJobs-openable' : ''}
            title={run.run_uuid ? trans.__('Open this run (read-only)') : (run.error ?? '')}
            {...(run.run_uuid ? clickable(() => open(run)) : {})}
          >
            <td>{run.index}</td>
            <td className="jp-OrchestJobs-code">{describeParameters(run.parameters, titles)}</td>
            <td>
              <span className={`jp-OrchestRunStatus-dot jp-mod-${run.status.toLowerCase()}`} />{' '}
              {runStatusLabel(trans, run.status)}
            </td>
            <td>{formatDuration(durationSeconds(run.started, run.finished, now))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function JobView(props: { manager: JobsManager; jobUuid: string; widgetId: string }): JSX.Element {
  const { manager, jobUuid, widgetId } = props;
  const { api, trans } = manager;
  const [job, setJob] = React.useState<IJobWithRuns | null>(null);
  const [gone, setGone] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const [version, reloadLater, reloadNow] = useReload();

  React.useEffect(() => {
    let cancelled = false;
    api
      .getJob(jobUuid)
      .then(loaded => {
        if (!cancelled) {
          setJob(loaded);
          manager.setLabel(widgetId, manager.jobLabel(loaded.name));
        }
      })
      .catch(error => !cancelled && setGone((error as Error).message));
    return () => {
      cancelled = true;
    };
  }, [api, jobUuid, version]);

  useJobEvents(
    manager.events,
    event => {
      setJob(current => {
        if (!current) {
          return current;
        }
        const applied = applyToJob(current, event);
        if (applied.value === null) {
          setGone(trans.__('The job was deleted.'));
        }
        if (applied.reload) {
          reloadLater();
        }
        return applied.value;
      });
    },
    reloadNow
  );

  const act = async (button: JobButton): Promise<void> => {
    if (!job || busy) {
      return;
    }
    if (button === 'edit') {
      manager.openDraft(job);
      return;
    }
    if (
      button === 'delete' &&
      !(await manager.confirm(
        trans.__('Delete job "%1"?', job.name),
        trans.__('Its runs, their logs and outputs, and its snapshot are deleted; running runs are cancelled first.'),
        trans.__('Delete')
      ))
    ) {
      return;
    }
    setBusy(true);
    try {
      if (button === 'delete') {
        await api.deleteJob(job.uuid);
        manager.close(widgetId);
      } else if (button === 'duplicate') {
        const copy = await api.duplicateJob(job.uuid);
        manager.openJob(copy.uuid, copy.name);
      } else {
        setJob(await api.jobAction(job.uuid, button as JobAction));
      }
    } catch (error) {
      await manager.showError(trans.__('%1: the server refused', buttonLabel(trans, button)), error);
    } finally {
      setBusy(false);
    }
  };

  if (!job) {
    return (
      <div className="jp-OrchestJobs-view">
        <div className={gone ? 'jp-OrchestJobs-problem' : 'jp-OrchestJobs-hint'}>{gone ?? trans.__('Loading…')}</div>
      </div>
    );
  }
  const titles = ownerTitles(job.pipeline, job.pipeline_name ?? job.pipeline_path);
  const actions = availableActions(job);
  return (
    <div className="jp-OrchestJobs-view" data-job={job.uuid} data-status={job.status}>
      <header className="jp-OrchestJobs-viewHeader">
        <h2>{job.name}</h2>
        <span className={`jp-OrchestJobs-badge jp-mod-${job.status.toLowerCase()}`} data-status={job.status}>
          {jobStatusLabel(trans, job.status)}
        </span>
      </header>
      {gone ? <div className="jp-OrchestJobs-problem">{gone}</div> : null}
      <div className="jp-OrchestJobs-buttons">
        {JOB_BUTTONS.filter(button => actions.has(button)).map(button => (
          <button
            key={button}
            type="button"
            data-action={button}
            className={`jp-mod-styled jp-OrchestJobs-action ${button === 'delete' ? 'jp-mod-warn' : ''}`}
            disabled={busy || !!gone}
            onClick={() => void act(button)}
          >
            {buttonLabel(trans, button)}
          </button>
        ))}
      </div>
      <dl className="jp-OrchestJobs-summary">
        <dt>{trans.__('Pipeline')}</dt>
        <dd>{job.pipeline_path}</dd>
        <dt>{trans.__('Schedule')}</dt>
        <dd className="jp-OrchestJobs-scheduleText">{describeSchedule(job.schedule, trans, manager.cronLocale)}</dd>
        <dt>{trans.__('Next run')}</dt>
        <dd className="jp-OrchestJobs-next" title={job.next_fire ?? ''}>
          {job.next_fire ? localTime(job.next_fire) : trans.__('None')}
        </dd>
        <dt>{trans.__('Runs')}</dt>
        <dd className="jp-OrchestJobs-counts">{describeCounts(trans, job.counts)}</dd>
        {job.error ? (
          <>
            <dt>{trans.__('Error')}</dt>
            <dd className="jp-OrchestJobs-problem">{job.error}</dd>
          </>
        ) : null}
        {job.warnings.length ? (
          <>
            <dt>{trans.__('Warnings')}</dt>
            <dd>{job.warnings.join(' ')}</dd>
          </>
        ) : null}
      </dl>
      <h3>{trans.__('Runs')}</h3>
      <Runs manager={manager} job={job} titles={titles} />
      <h3>{trans.__('Settings')}</h3>
      <Settings trans={trans} job={job} titles={titles} />
      <h3>{trans.__('History')}</h3>
      <ul className="jp-OrchestJobs-history">
        {job.history.map((entry, i) => (
          <li key={i} data-kind={entry.kind}>
            <span className="jp-OrchestJobs-time">{localTime(entry.time)}</span> {entry.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A job's page. */
export function createJobView(manager: JobsManager, jobUuid: string, widgetId: string): Widget {
  return ReactWidget.create(<JobView manager={manager} jobUuid={jobUuid} widgetId={widgetId} />);
}
