/**
 * The step's retries and timeout in the properties panel (the step's
 * `orchest_jlab` settings), and how many attempts its last run took, with the
 * logs of the earlier ones.
 */

import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IRunStep, OrchestAPI } from '../api';
import { IStepView, parsePolicy, PolicyField, policyLimit, policyValue, withPolicy } from '../model';
import { PipelineController } from './controller';
import { errorMessage } from './helpers';
import { CommitField } from './fields';

export function StepRetries(props: {
  controller: PipelineController;
  step: IStepView;
  trans: TranslationBundle;
}): JSX.Element {
  const { controller, step, trans } = props;
  const model = controller.model!;
  const [problem, setProblem] = React.useState<{ field: PolicyField; text: string } | null>(null);
  React.useEffect(() => setProblem(null), [step.uuid]);
  const messages = {
    whole: trans.__('a whole number, 0 or more'),
    number: trans.__('a number of seconds, 0 or more'),
    positive: trans.__('a number of seconds, more than 0'),
    'too-large': ''
  };
  const field = (name: PolicyField, label: string): JSX.Element => {
    const value = policyValue(step.raw, name);
    return (
      <CommitField
        name={`orchest_jlab.${name}`}
        label={label}
        value={value === undefined ? '' : String(value)}
        disabled={controller.readOnly}
        onCommit={text => {
          const parsed = parsePolicy(name, text);
          if ('problem' in parsed) {
            const why = parsed.problem === 'too-large' ? trans.__('at most %1', policyLimit(name)) : messages[parsed.problem];
            setProblem({ field: name, text: trans.__('%1 should be %2.', label, why) });
            return;
          }
          setProblem(null);
          model.updateStep(step.uuid, { orchest_jlab: withPolicy(step.raw, name, parsed.value) }, 'Edit retries');
        }}
      />
    );
  };
  const runStep = controller.runs.step(step.uuid);
  const runUuid = controller.runs.run?.uuid;
  return (
    <div className="jp-OrchestProps-retries" role="group" aria-label={trans.__('Retries and timeout')}>
      {field('retries', trans.__('Retries'))}
      {field('retry_delay', trans.__('Seconds between retries'))}
      {field('timeout', trans.__('Timeout in seconds (empty: none)'))}
      {problem ? <div className="jp-OrchestProps-error">{problem.text}</div> : null}
      {runStep && runUuid && (runStep.attempts ?? 0) > 1 ? (
        <Attempts api={controller.services.api} runUuid={runUuid} stepUuid={step.uuid} runStep={runStep} trans={trans} />
      ) : null}
    </div>
  );
}

/**
 * The attempts of the step in the run shown: a button per earlier attempt
 * shows its log (the log panel shows the last one).
 */
function Attempts(props: {
  api: OrchestAPI;
  runUuid: string;
  stepUuid: string;
  runStep: IRunStep;
  trans: TranslationBundle;
}): JSX.Element {
  const { api, runUuid, stepUuid, runStep, trans } = props;
  const attempts = runStep.attempts ?? 1;
  const [shown, setShown] = React.useState<{ attempt: number; text: string } | null>(null);
  React.useEffect(() => setShown(null), [runUuid, stepUuid]);
  const show = async (attempt: number): Promise<void> => {
    try {
      setShown({ attempt, text: await api.getStepLog(runUuid, stepUuid, attempt) });
    } catch (error) {
      setShown({ attempt, text: errorMessage(error) });
    }
  };
  return (
    <div className="jp-OrchestProps-attempts">
      <span>{trans.__('Attempts in the last run: %1', attempts)}</span>
      {Array.from({ length: attempts }, (_, i) => i + 1).map(n => (
        <button
          key={n}
          className="jp-mod-styled jp-mod-reject"
          title={trans.__('The log of attempt %1', n)}
          onClick={() => void show(n)}
        >
          {n}
        </button>
      ))}
      {shown ? (
        <pre className="jp-OrchestProps-attemptLog" aria-label={trans.__('Log of attempt %1', shown.attempt)}>
          {shown.text}
        </pre>
      ) : null}
    </div>
  );
}
