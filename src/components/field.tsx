/**
 * The labelled field of every form: the step properties panel, the job form
 * and the environment dialog (style/field.css).
 */

import * as React from 'react';

/**
 * A label with its input (the children), and what is wrong with the value or
 * what it means below it.
 */
export function Field(props: {
  label: string;
  children: React.ReactNode;
  /** What is wrong with the value (shown as an error). */
  problem?: string | null;
  /** What the value means. */
  hint?: React.ReactNode;
  /** The label beside the input (wide forms) rather than above it (panels, dialogs). */
  inline?: boolean;
  /** Several inputs: a group named by the label (a `<label>` would name only the first). */
  group?: boolean;
}): JSX.Element {
  const className = props.inline ? 'jp-OrchestField jp-mod-inline' : 'jp-OrchestField';
  const content = (
    <>
      <span className="jp-OrchestField-label">{props.label}</span>
      {props.children}
      {props.problem ? <span className="jp-OrchestField-problem">{props.problem}</span> : null}
      {props.hint ? <span className="jp-OrchestField-hint">{props.hint}</span> : null}
    </>
  );
  return props.group ? (
    <div className={className} role="group" aria-label={props.label}>
      {content}
    </div>
  ) : (
    <label className={className}>{content}</label>
  );
}

/**
 * A one-line text input with its label (a `Field`): names, URLs, cron
 * expressions, dates.
 */
export function TextField(props: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  problem?: string | null;
  inline?: boolean;
  placeholder?: string;
  type?: 'text' | 'datetime-local';
  /** Off for what is not prose (URLs, expressions). */
  spellCheck?: boolean;
  /** JupyterLab's input style (dialogs, panels); wide forms have their own. */
  styled?: boolean;
}): JSX.Element {
  return (
    <Field label={props.label} problem={props.problem} inline={props.inline}>
      <input
        className={props.styled ? 'jp-mod-styled' : undefined}
        type={props.type}
        name={props.name}
        value={props.value}
        spellCheck={props.spellCheck}
        placeholder={props.placeholder}
        onChange={e => props.onChange(e.target.value)}
      />
    </Field>
  );
}

/**
 * A checkbox with its label after it.
 */
export function CheckField(props: {
  name: string;
  label: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}): JSX.Element {
  return (
    <label className="jp-OrchestField jp-mod-check">
      <input
        type="checkbox"
        name={props.name}
        checked={props.checked}
        disabled={props.disabled}
        onChange={e => props.onChange(e.target.checked)}
      />
      <span>{props.label}</span>
    </label>
  );
}
