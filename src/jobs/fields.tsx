/**
 * A choice among a few values, as the jobs panel's forms ask it.
 */

import * as React from 'react';

import { Field } from '../components/field';

/** A labelled choice among a few values. */
export function Choice<T extends string>(props: {
  label: string;
  name: string;
  value: T;
  options: [T, string][];
  onChange(value: T): void;
}): JSX.Element {
  return (
    <Field label={props.label} inline>
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
