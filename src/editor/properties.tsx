/**
 * The properties panel: the selected step's fields and parameters, or the pipeline's.
 */

import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { isObject, JSONObject, parse, stringify } from '../model';
import { PipelineController } from './controller';
import { stateLabel } from './nodes';

/**
 * A text input that commits on Enter or when it loses focus; Escape reverts.
 */
function CommitInput(props: {
  name: string;
  value: string;
  disabled?: boolean;
  onCommit: (value: string) => void;
}): JSX.Element {
  const [value, setValue] = React.useState(props.value);
  React.useEffect(() => setValue(props.value), [props.value]);
  const commit = (): void => {
    if (value !== props.value) {
      props.onCommit(value);
    }
  };
  return (
    <input
      className="jp-mod-styled"
      name={props.name}
      value={value}
      disabled={props.disabled}
      onChange={e => setValue(e.target.value)}
      onBlur={commit}
      onKeyDown={e => {
        if (e.key === 'Enter') {
          commit();
        } else if (e.key === 'Escape') {
          setValue(props.value);
        }
      }}
    />
  );
}

/**
 * A labelled text field that commits on Enter or when it loses focus.
 */
function Field(props: {
  label: string;
  value: string;
  disabled?: boolean;
  onCommit: (value: string) => void;
  name: string;
}): JSX.Element {
  return (
    <label className="jp-OrchestProps-field">
      <span>{props.label}</span>
      <CommitInput
        name={props.name}
        value={props.value}
        disabled={props.disabled}
        onCommit={props.onCommit}
      />
    </label>
  );
}

/**
 * A JSON object editor that refuses invalid JSON.
 */
function JSONField(props: {
  label: string;
  value: JSONObject;
  disabled?: boolean;
  onCommit: (value: JSONObject) => void;
  trans: TranslationBundle;
  name: string;
}): JSX.Element {
  const { trans } = props;
  const text = React.useMemo(
    () => stringify(props.value, { indent: 2, ensureAscii: false, sortKeys: false }),
    [props.value]
  );
  const [value, setValue] = React.useState(text);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    setValue(text);
    setError(null);
  }, [text]);
  const check = (input: string): JSONObject | null => {
    try {
      const parsed = parse(input);
      if (!isObject(parsed)) {
        setError(trans.__('Parameters must be a JSON object: {"name": value, …}.'));
        return null;
      }
      setError(null);
      return parsed;
    } catch (e) {
      setError(trans.__('Not valid JSON: %1', (e as Error).message));
      return null;
    }
  };
  const commit = (): void => {
    if (value === text) {
      setError(null);
      return;
    }
    const parsed = check(value);
    if (parsed) {
      props.onCommit(parsed);
    }
  };
  return (
    <label className="jp-OrchestProps-field">
      <span>{props.label}</span>
      <textarea
        className={`jp-mod-styled jp-OrchestProps-json ${error ? 'jp-mod-invalid' : ''}`}
        name={props.name}
        value={value}
        rows={Math.min(12, Math.max(3, value.split('\n').length))}
        spellCheck={false}
        disabled={props.disabled}
        onChange={e => {
          setValue(e.target.value);
          check(e.target.value);
        }}
        onBlur={commit}
      />
      {error ? <span className="jp-OrchestProps-error">{error}</span> : null}
    </label>
  );
}

/**
 * Rows for the parameters with simple values (text, numbers, booleans):
 * edit in place keeping the value's type, remove, or add a parameter.
 */
function ParameterRows(props: {
  value: JSONObject;
  disabled?: boolean;
  onCommit: (value: JSONObject) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { value, disabled, onCommit, trans } = props;
  const [name, setName] = React.useState('');
  const [text, setText] = React.useState('');
  const set = (key: string, v: JSONObject[string] | undefined): void => {
    const next: JSONObject = {};
    for (const k of Object.keys(value)) {
      if (k !== key) {
        next[k] = value[k];
      } else if (v !== undefined) {
        next[k] = v;
      }
    }
    if (v !== undefined && !(key in value)) {
      next[key] = v;
    }
    onCommit(next);
  };
  // Typed text becomes JSON when it reads as JSON (3, true, "x", [1]), else text.
  const asValue = (input: string): JSONObject[string] => {
    try {
      return parse(input);
    } catch {
      return input;
    }
  };
  const simple = Object.entries(value).filter(
    ([, v]) => v === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof v)
  );
  return (
    <div className="jp-OrchestParams">
      {simple.map(([key, v]) => (
        <div className="jp-OrchestParams-row" key={key}>
          <span className="jp-OrchestParams-name" title={key}>
            {key}
          </span>
          {typeof v === 'boolean' ? (
            <input
              type="checkbox"
              name={`param-${key}`}
              checked={v}
              disabled={disabled}
              onChange={e => set(key, e.target.checked)}
            />
          ) : (
            <CommitInput
              name={`param-${key}`}
              value={v === null ? 'null' : String(v)}
              disabled={disabled}
              onCommit={input => {
                if (typeof v === 'string') {
                  set(key, input);
                } else {
                  const parsed = asValue(input);
                  set(key, parsed);
                }
              }}
            />
          )}
          <button
            className="jp-OrchestParams-remove"
            title={trans.__('Remove the parameter “%1”', key)}
            disabled={disabled}
            onClick={() => set(key, undefined)}
          >
            ×
          </button>
        </div>
      ))}
      <div className="jp-OrchestParams-row jp-OrchestParams-new">
        <input
          className="jp-mod-styled"
          name="new-param-name"
          placeholder={trans.__('name')}
          value={name}
          disabled={disabled}
          onChange={e => setName(e.target.value)}
        />
        <input
          className="jp-mod-styled"
          name="new-param-value"
          placeholder={trans.__('value')}
          value={text}
          disabled={disabled}
          onChange={e => setText(e.target.value)}
          onKeyDown={e => {
            if (e.key === 'Enter' && name.trim()) {
              set(name.trim(), asValue(text));
              setName('');
              setText('');
            }
          }}
        />
        <button
          className="jp-OrchestParams-add"
          title={trans.__('Add the parameter')}
          disabled={disabled || !name.trim()}
          onClick={() => {
            set(name.trim(), asValue(text));
            setName('');
            setText('');
          }}
        >
          +
        </button>
      </div>
    </div>
  );
}

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
        <Field
          name="title"
          label={trans.__('Title')}
          value={step.title}
          disabled={disabled}
          onCommit={title => model.updateStep(step.uuid, { title }, 'Rename step')}
        />
        <Field
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
          <label className="jp-OrchestProps-field">
            <span>{trans.__('Environment')}</span>
            <select
              className="jp-mod-styled"
              name="environment"
              value={step.environment}
              disabled={disabled}
              onChange={e => model.updateStep(step.uuid, { environment: e.target.value }, 'Change environment')}
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
          </label>
        ) : (
          <Field
            name="environment"
            label={trans.__('Environment (uuid)')}
            value={step.environment}
            disabled={disabled}
            onCommit={environment => model.updateStep(step.uuid, { environment }, 'Change environment')}
          />
        )}
        <div className="jp-OrchestProps-field">
          <span>{trans.__('Parameters')}</span>
          <ParameterRows
            value={step.parameters}
            disabled={disabled}
            trans={trans}
            onCommit={parameters => model.updateStep(step.uuid, { parameters }, 'Edit parameters')}
          />
        </div>
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
            {trans.__('Last run: %1', stateLabel(trans, runStep.state))}
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
        <Field
          name="name"
          label={trans.__('Name')}
          value={model.name}
          disabled={disabled}
          onCommit={name => model.updatePipeline({ name }, 'Rename pipeline')}
        />
        <label className="jp-OrchestProps-check">
          <input
            type="checkbox"
            name="auto_eviction"
            checked={settings.auto_eviction === true}
            disabled={disabled}
            onChange={e => setSetting('auto_eviction', e.target.checked)}
          />
          <span>{trans.__('Free step outputs once they are used (auto eviction)')}</span>
        </label>
        <Field
          name="data_passing_memory_size"
          label={trans.__('Memory for passing data')}
          value={typeof settings.data_passing_memory_size === 'string' ? settings.data_passing_memory_size : ''}
          disabled={disabled}
          onCommit={value => setSetting('data_passing_memory_size', value)}
        />
        <Field
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
        <div className="jp-OrchestProps-field">
          <span>{trans.__('Pipeline parameters')}</span>
          <ParameterRows
            value={parameters}
            disabled={disabled}
            trans={trans}
            onCommit={value => model.updatePipeline({ parameters: value }, 'Edit pipeline parameters')}
          />
        </div>
        <JSONField
          name="pipeline_parameters"
          label={trans.__('Pipeline parameters (JSON)')}
          value={parameters}
          disabled={disabled}
          trans={trans}
          onCommit={value => model.updatePipeline({ parameters: value }, 'Edit pipeline parameters')}
        />
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

