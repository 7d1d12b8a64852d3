/**
 * The properties panel: the selected step's fields and parameters, or the pipeline's.
 */

import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { isObject, JSONObject } from '../model';
import { stepStateLabel } from '../status';
import { PipelineController } from './controller';
import { CheckField, Field } from '../components/field';
import { JSONField, ParameterRows, CommitField } from './fields';
import { ServicesSection } from '../services/section';
import { StepRetries } from './retries';
import { PipelineCacheField, StepCacheFields } from './caching';
import { EnvVariablesForm } from '../envvars/editor';
import { ParameterFormField } from '../paramforms/panel';

/**
 * The properties of the selected step, or of the pipeline.
 */
export function PropertiesPanel(props: {
  controller: PipelineController;
  trans: TranslationBundle;
}): JSX.Element {
  const { controller, trans } = props;
  const model = controller.model!;
  const disabled = controller.readOnly;
  const selected = controller.selectedSteps;
  let content: JSX.Element;
  if (selected.length === 1) {
    const step = selected[0];
    const runStep = controller.runs.step(step.uuid);
    const problems = controller.problemsByStep.get(step.uuid) ?? [];
    content = (
      <>
        <h3 className="jp-OrchestProps-heading">{trans.__('Step')}</h3>
        <CommitField
          name="title"
          label={trans.__('Title')}
          value={step.title}
          disabled={disabled}
          onCommit={title => model.updateStep(step.uuid, { title }, 'Rename step')}
        />
        <CommitField
          name="file_path"
          label={trans.__('File (relative to the pipeline)')}
          value={step.filePath}
          disabled={disabled}
          onCommit={file_path => model.updateStep(step.uuid, { file_path }, 'Change file')}
        />
        <div className="jp-OrchestProps-actions">
          {controller.services.pickFile ? (
            <button
              className="jp-mod-styled jp-mod-reject jp-OrchestProps-choose"
              disabled={disabled}
              onClick={() => void controller.edits.chooseStepFile(step.uuid)}
            >
              {trans.__('Choose…')}
            </button>
          ) : null}
          <button
            className="jp-mod-styled jp-mod-reject"
            disabled={!step.filePath}
            onClick={() => void controller.openStepFile(step.uuid)}
          >
            {trans.__('Open')}
          </button>
          <button className="jp-mod-styled jp-mod-reject" onClick={() => controller.toggleLog(true)}>
            {trans.__('Log')}
          </button>
        </div>
        {controller.environments ? (
          <Field label={trans.__('Environment')}>
            <select
              className="jp-mod-styled"
              name="environment"
              value={step.environment}
              disabled={disabled}
              onChange={e => void controller.edits.setEnvironment(step.uuid, e.target.value)}
            >
              {controller.environments.some(e => e.uuid === step.environment) ? null : (
                <option value={step.environment}>
                  {trans.__('Not defined in this project (%1)', step.environment || '—')}
                </option>
              )}
              {controller.environments.map(e => (
                <option key={e.uuid} value={e.uuid}>
                  {e.name} ({e.language})
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <CommitField
            name="environment"
            label={trans.__('Environment (uuid)')}
            value={step.environment}
            disabled={disabled}
            onCommit={environment => void controller.edits.setEnvironment(step.uuid, environment)}
          />
        )}
        <ParameterFormField
          contents={controller.services.contents}
          pipelinePath={controller.path}
          filePath={step.filePath}
          value={step.parameters}
          disabled={disabled}
          trans={trans}
          onCommit={parameters => model.updateStep(step.uuid, { parameters: parameters as JSONObject }, 'Edit parameters')}
        />
        <StepRetries controller={controller} step={step} trans={trans} />
        <StepCacheFields controller={controller} step={step} trans={trans} />
        <Field label={trans.__('Parameters')} group>
          <ParameterRows
            value={step.parameters}
            disabled={disabled}
            trans={trans}
            onCommit={parameters => model.updateStep(step.uuid, { parameters }, 'Edit parameters')}
          />
        </Field>
        <JSONField
          name="parameters"
          label={trans.__('Parameters (JSON)')}
          value={step.parameters}
          disabled={disabled}
          trans={trans}
          onCommit={parameters => model.updateStep(step.uuid, { parameters }, 'Edit parameters')}
        />
        {runStep ? (
          <div className="jp-OrchestProps-run">
            {trans.__('Last run: %1', stepStateLabel(trans, runStep.state))}
            {runStep.worker ? (
              <div className="jp-OrchestProps-worker" title={trans.__('The worker of the cluster that ran it')}>
                {trans.__('Worker: %1', runStep.worker)}
                {runStep.runtime ? (
                  <div className="jp-OrchestProps-runtime" data-runtime={runStep.runtime}>
                    {runStep.runtime === 'docker'
                      ? trans.__('In the image %1, built on the worker', runStep.image ?? '')
                      : trans.__("On the worker's host")}
                  </div>
                ) : null}
              </div>
            ) : null}
            {runStep.error ? <div className="jp-OrchestProps-error">{runStep.error}</div> : null}
          </div>
        ) : null}
        {problems.length ? (
          <ul className="jp-OrchestProps-problems">
            {problems.map((p, i) => (
              <li key={i} className={`jp-mod-${p.severity}`}>
                {p.message}
              </li>
            ))}
          </ul>
        ) : null}
        <div className="jp-OrchestProps-uuid">{step.uuid}</div>
      </>
    );
  } else if (selected.length > 1) {
    content = (
      <>
        <h3 className="jp-OrchestProps-heading">{trans.__('%1 steps selected', selected.length)}</h3>
        <p>{trans.__('Run them with “Run selected”, or their incoming steps with “Run incoming”.')}</p>
      </>
    );
  } else {
    const doc = model.document;
    const settings = isObject(doc.settings) ? doc.settings : {};
    const parameters = isObject(doc.parameters) ? doc.parameters : {};
    const setSetting = (key: string, value: JSONObject[string]): void =>
      model.updatePipeline({ settings: { ...settings, [key]: value } }, 'Edit settings');
    content = (
      <>
        <h3 className="jp-OrchestProps-heading">{trans.__('Pipeline')}</h3>
        <CommitField
          name="name"
          label={trans.__('Name')}
          value={model.name}
          disabled={disabled}
          onCommit={name => model.updatePipeline({ name }, 'Rename pipeline')}
        />
        <CheckField
          name="auto_eviction"
          label={trans.__('Free step outputs once they are used (auto eviction)')}
          checked={settings.auto_eviction === true}
          disabled={disabled}
          onChange={checked => setSetting('auto_eviction', checked)}
        />
        <CommitField
          name="data_passing_memory_size"
          label={trans.__('Memory for passing data')}
          value={typeof settings.data_passing_memory_size === 'string' ? settings.data_passing_memory_size : ''}
          disabled={disabled}
          onCommit={value => setSetting('data_passing_memory_size', value)}
        />
        <PipelineCacheField controller={controller} settings={settings} trans={trans} />
        <CommitField
          name="max_steps_parallelism"
          label={trans.__('Steps at once (0: no limit)')}
          value={String(settings.max_steps_parallelism ?? 0)}
          disabled={disabled}
          onCommit={value => {
            const n = Number(value);
            if (Number.isInteger(n) && n >= 0) {
              setSetting('max_steps_parallelism', n);
            } else {
              controller.say(trans.__('Steps at once must be a whole number, 0 or more.'), 'warning');
            }
          }}
        />
        <ParameterFormField
          contents={controller.services.contents}
          pipelinePath={controller.path}
          filePath={null}
          value={parameters}
          disabled={disabled}
          trans={trans}
          onCommit={value => model.updatePipeline({ parameters: value as JSONObject }, 'Edit pipeline parameters')}
        />
        <Field label={trans.__('Pipeline parameters')} group>
          <ParameterRows
            value={parameters}
            disabled={disabled}
            trans={trans}
            onCommit={value => model.updatePipeline({ parameters: value }, 'Edit pipeline parameters')}
          />
        </Field>
        <JSONField
          name="pipeline_parameters"
          label={trans.__('Pipeline parameters (JSON)')}
          value={parameters}
          disabled={disabled}
          trans={trans}
          onCommit={value => model.updatePipeline({ parameters: value }, 'Edit pipeline parameters')}
        />
        {typeof doc.uuid === 'string' && doc.uuid ? (
          <Field label={trans.__('Pipeline environment variables')} group>
            <EnvVariablesForm
              key={controller.path}
              api={controller.services.api}
              path={controller.path}
              level="pipeline"
              trans={trans}
              disabled={disabled}
            />
          </Field>
        ) : null}
        <ServicesSection controller={controller} trans={trans} />
        <p className="jp-OrchestProps-hint">
          {trans.__('Select a step to edit it. Drag from a step’s right handle to another step to connect them.')}
        </p>
      </>
    );
  }
  return (
    <div className="jp-OrchestProps">
      {content}
    </div>
  );
}

