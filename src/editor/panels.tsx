/**
 * The panels around the canvas: the run status, the banner, the problems bar and the log.
 */

import { TranslationBundle } from '@jupyterlab/translation';
import { Panel } from '@xyflow/react';
import * as React from 'react';

import { runStatusLabel, stepStateLabel } from '../status';
import { PipelineController } from './controller';
import { PipelineEditorController } from './document';
import { RunViewController } from './runview';
import { durationSeconds, formatDuration, isRunFinished } from './runstate';
import { useNow } from './hooks';

/**
 * What shows over the canvas's top left, one below the other so that none
 * covers another: the run status, a run view's banner, the message, the
 * note of an empty pipeline.
 */
export function CanvasMessages(props: { controller: PipelineController; trans: TranslationBundle }): JSX.Element {
  const { controller, trans } = props;
  return (
    <Panel position="top-left" className="jp-OrchestEditor-top">
      <RunStatus controller={controller} trans={trans} />
      {controller instanceof RunViewController ? <RunViewBanner controller={controller} trans={trans} /> : null}
      <Banner controller={controller} trans={trans} />
      {controller.model && !controller.model.steps.length ? (
        <div className="jp-OrchestEditor-empty">
          {controller.readOnly
            ? trans.__('This pipeline has no steps.')
            : trans.__('This pipeline has no steps yet: add one with the toolbar’s + button.')}
        </div>
      ) : null}
    </Panel>
  );
}

/**
 * The run shown: status, progress, duration.
 */
export function RunStatus(props: {
  controller: PipelineController;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { controller, trans } = props;
  const now = useNow(controller.isRunning);
  const run = controller.runs.run;
  if (controller instanceof PipelineEditorController && controller.starting) {
    const waiting = controller.waitingForSession;
    return (
      <div className="jp-OrchestRunStatus" data-status="STARTING">
        {waiting
          ? trans.__('Starting the interactive session… %1', waiting.message ?? '')
          : trans.__('Starting run…')}
      </div>
    );
  }
  if (!run) {
    return null;
  }
  const steps = Object.values(run.steps);
  const done = steps.filter(s => s.state === 'COMPUTED').length;
  const finished = isRunFinished(run);
  const seconds = durationSeconds(run.started ?? run.created, run.finished, now);
  const status = runStatusLabel(trans, run.status);
  return (
    <div className="jp-OrchestRunStatus" data-status={run.status} title={run.error ?? ''}>
      <span className={`jp-OrchestRunStatus-dot jp-mod-${run.status.toLowerCase()}`} />
      {finished && !(controller instanceof RunViewController) ? trans.__('Last run: %1', status) : status}
      {' · '}
      {trans.__('%1 of %2 steps completed', done, steps.length)}
      {seconds !== null ? ` · ${formatDuration(seconds)}` : ''}
    </div>
  );
}

/**
 * A message over the canvas.
 */
export function Banner(props: { controller: PipelineController; trans: TranslationBundle }): JSX.Element | null {
  const { controller, trans } = props;
  const banner = controller.banner;
  if (!banner) {
    return null;
  }
  return (
    <div className={`jp-OrchestEditor-message jp-mod-${banner.kind}`} role="alert" key={banner.id}>
      <span>{banner.text}</span>
      <button
        className="jp-OrchestEditor-messageClose"
        title={trans.__('Dismiss')}
        onClick={() => controller.dismissBanner()}
      >
        ×
      </button>
    </div>
  );
}

/**
 * The validation problems that concern the pipeline, and a count of all.
 */
export function ProblemsBar(props: {
  controller: PipelineController;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { controller, trans } = props;
  const [open, setOpen] = React.useState(false);
  const report = controller.report;
  if (!report || !report.problems.length) {
    return null;
  }
  const summary = [
    report.error_count ? trans._n('%1 error', '%1 errors', report.error_count) : '',
    report.warning_count ? trans._n('%1 warning', '%1 warnings', report.warning_count) : ''
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <div className={`jp-OrchestProblems ${report.error_count ? 'jp-mod-error' : 'jp-mod-warning'}`}>
      <button className="jp-OrchestProblems-summary" onClick={() => setOpen(!open)}>
        {open ? '▾ ' : '▸ '}
        {summary}
      </button>
      {open ? (
        <ul className="jp-OrchestProblems-list">
          {report.problems.map((p, i) => (
            <li
              key={i}
              className={`jp-mod-${p.severity}`}
              onClick={() => p.step_uuid && controller.setSelection([p.step_uuid])}
            >
              {p.step_title ? <b>{p.step_title}: </b> : null}
              {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The log panel shows at most this many (last) lines. */
const MAX_LOG_LINES = 5000;

/**
 * The log of the selected step in the run shown, streaming.
 */
export function LogPanel(props: { controller: PipelineController; trans: TranslationBundle }): JSX.Element {
  const { controller, trans } = props;
  const log = controller.log;
  const pre = React.useRef<HTMLPreElement>(null);
  const stick = React.useRef(true);
  const lineCount = log?.lines.length ?? 0;
  React.useLayoutEffect(() => {
    if (pre.current && stick.current) {
      pre.current.scrollTop = pre.current.scrollHeight;
    }
  }, [lineCount, log?.stepUuid]);
  const step = log ? controller.model?.step(log.stepUuid) : undefined;
  const runStep = log ? controller.runs.step(log.stepUuid) : undefined;
  let body: string;
  if (!log) {
    body = controller.runs.run
      ? trans.__('Select a step to see its log.')
      : trans.__('No run yet: run the pipeline to see the logs of its steps.');
  } else if (log.loading) {
    body = trans.__('Loading the log…');
  } else if (log.error) {
    body = log.error;
  } else if (!runStep) {
    body = trans.__('This step was not part of the last run.');
  } else if (!log.lines.length) {
    body = runStep.state === 'PENDING' ? trans.__('The step has not started yet.') : '';
  } else if (log.lines.length > MAX_LOG_LINES) {
    // Long logs: the end, which is what a running step adds to.
    body =
      trans.__('… %1 earlier lines not shown', log.lines.length - MAX_LOG_LINES) +
      '\n' +
      log.lines.slice(-MAX_LOG_LINES).join('\n');
  } else {
    body = log.lines.join('\n');
  }
  return (
    <div className="jp-OrchestLog">
      <div className="jp-OrchestLog-header">
        <span className="jp-OrchestLog-title">
          {step ? trans.__('Log of “%1”', step.title || step.filePath) : trans.__('Log')}
        </span>
        {runStep ? (
          <span className="jp-OrchestStep-state" data-state={runStep.state}>
            {stepStateLabel(trans, runStep.state)}
          </span>
        ) : null}
        {runStep?.worker ? (
          <span
            className="jp-OrchestLog-worker"
            data-runtime={runStep.runtime}
            title={
              runStep.runtime === 'docker'
                ? trans.__('The worker of the cluster that ran it, in the image %1', runStep.image ?? '')
                : trans.__('The worker of the cluster that ran it')
            }
          >
            {runStep.worker}
            {runStep.runtime ? ` (${runStep.runtime})` : ''}
          </span>
        ) : null}
        <button
          className="jp-OrchestLog-close"
          title={trans.__('Close the log')}
          onClick={() => controller.toggleLog(false)}
        >
          ×
        </button>
      </div>
      <pre
        ref={pre}
        className="jp-OrchestLog-text"
        onScroll={event => {
          const el = event.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 20;
        }}
      >
        {body}
      </pre>
    </div>
  );
}

/**
 * What a read-only view of a run shows above the canvas.
 */
export function RunViewBanner(props: { controller: RunViewController; trans: TranslationBundle }): JSX.Element | null {
  const { controller, trans } = props;
  const run = controller.run;
  if (!run) {
    return null;
  }
  const created = new Date(run.created).toLocaleString();
  return (
    <div className="jp-OrchestEditor-readOnly">
      <span>
        {controller.pipeline?.source === 'snapshot'
          ? trans.__('Read-only: the run of %1, from its snapshot.', created)
          : controller.pipeline?.source === 'recorded'
            ? trans.__('Read-only: the pipeline as the run of %1 ran it.', created)
            : trans.__('Read-only: the run of %1 (its pipeline was not kept: the file as it is now).', created)}
      </span>
      <button
        className="jp-mod-styled jp-mod-accept jp-OrchestEditor-copyRun"
        onClick={() => void controller.createEditableCopy()}
      >
        {trans.__('Create editable copy')}
      </button>
    </div>
  );
}
