/**
 * A form in a dialog, asked again (naming its problems) until it is valid:
 * the environment dialog and the webhook dialog.
 */

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

/** Draws the form from its values and problems; `onChange` gives the values back. */
export type FormRenderer<F, P> = (initial: F, problems: P[], onChange: (form: F) => void) => JSX.Element;

class FormBody<F, P> extends ReactWidget implements Dialog.IBodyWidget<F> {
  constructor(
    private _form: F,
    private readonly _problems: P[],
    private readonly _render: FormRenderer<F, P>
  ) {
    super();
  }

  getValue(): F {
    return this._form;
  }

  render(): JSX.Element {
    return this._render(this._form, this._problems, form => {
      this._form = form;
    });
  }
}

/**
 * Show the form until `check` finds no problem; the accepted values, or null
 * when cancelled.
 */
export async function askForm<F, P>(options: {
  title: string;
  initial: F;
  render: FormRenderer<F, P>;
  check: (form: F) => P[];
  cancelLabel: string;
  acceptLabel: string;
  focus: string;
}): Promise<F | null> {
  let form = options.initial;
  let problems: P[] = [];
  for (;;) {
    const result = await showDialog({
      title: options.title,
      body: new FormBody(form, problems, options.render),
      buttons: [Dialog.cancelButton({ label: options.cancelLabel }), Dialog.okButton({ label: options.acceptLabel })],
      focusNodeSelector: options.focus
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    form = result.value;
    problems = options.check(form);
    if (!problems.length) {
      return form;
    }
  }
}

/**
 * A dialog form's values: `update` keeps them and gives them back to the
 * dialog (which reads them on accept).
 */
export function useFormState<F>(initial: F, onChange: (form: F) => void): [F, (next: F) => void] {
  const [form, setForm] = React.useState(initial);
  const update = (next: F): void => {
    setForm(next);
    onChange(next);
  };
  return [form, update];
}
