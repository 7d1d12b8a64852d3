/**
 * The labelled fields of the jobs panel's forms.
 */

import * as React from 'react';

/** A label with its input. */
export function Field(props: { label: string; children: React.ReactNode }): JSX.Element {
  return (
    <label className="jp-OrchestJobs-field">
      <span>{props.label}</span>
      {props.children}
    </label>
  );
}

/** A labelled choice among a few values. */
export function Choice<T extends string>(props: {
  label: string;
  name: string;
  value: T;
  options: [T, string][];
  onChange(value: T): void;
}): JSX.Element {
  return (
    <Field label={props.label}>
      <select name={props.name} value={props.value} onChange={e => props.onChange(e.target.value as T)}>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </Field>
  );
}
