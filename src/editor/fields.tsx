/**
 * The form fields of the properties panel: text that commits on Enter or
 * when it loses focus, a JSON object editor that refuses invalid JSON, and
 * rows of simple parameter values.
 */

import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { Field } from '../components/field';
import { isObject, JSONObject, parse, stringify } from '../model';

/**
 * A text input that commits on Enter or when it loses focus; Escape reverts.
 */
export function CommitInput(props: {
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
 * A labelled text field that commits on Enter or when it loses focus (the
 * properties panel edits the document only on commit).
 */
export function CommitField(props: {
  label: string;
  value: string;
  disabled?: boolean;
  onCommit: (value: string) => void;
  name: string;
}): JSX.Element {
  return (
    <Field label={props.label}>
      <CommitInput name={props.name} value={props.value} disabled={props.disabled} onCommit={props.onCommit} />
    </Field>
  );
}

/**
 * A JSON object editor that refuses invalid JSON.
 */
export function JSONField(props: {
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
    <Field label={props.label} problem={error}>
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
    </Field>
  );
}

/**
 * Rows for the parameters with simple values (text, numbers, booleans):
 * edit in place keeping the value's type, remove, or add a parameter.
 */
export function ParameterRows(props: {
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
