/**
 * The dialog that creates an environment or edits its properties (name,
 * language, base image, GPU support, network).
 */

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { EnvironmentLanguage, IEnvironment } from '../api';
import { CheckField, Field } from '../components/field';
import { formOf, formProblems, IEnvironmentForm, IFormProblem, languageLabel, LANGUAGES, withLanguage } from './model';

function FormView(props: {
  initial: IEnvironmentForm;
  problems: IFormProblem[];
  trans: TranslationBundle;
  onChange: (form: IEnvironmentForm) => void;
}): JSX.Element {
  const { trans, problems } = props;
  const [form, setForm] = React.useState(props.initial);
  const update = (next: IEnvironmentForm): void => {
    setForm(next);
    props.onChange(next);
  };
  const problem = (field: keyof IEnvironmentForm): string | null =>
    problems.find(p => p.field === field)?.message ?? null;
  return (
    <div className="jp-OrchestEnvForm">
      <Field label={trans.__('Name')} problem={problem('name')}>
        <input
          className="jp-mod-styled"
          name="name"
          value={form.name}
          placeholder={trans.__('e.g. Python with pandas')}
          onChange={e => update({ ...form, name: e.target.value })}
        />
      </Field>
      <Field label={trans.__('Language')}>
        <select
          className="jp-mod-styled"
          name="language"
          value={form.language}
          onChange={e => update(withLanguage(form, e.target.value as EnvironmentLanguage))}
        >
          {LANGUAGES.map(language => (
            <option key={language} value={language}>
              {languageLabel(trans, language)}
            </option>
          ))}
        </select>
      </Field>
      <Field
        label={trans.__('Base image')}
        problem={problem('baseImage')}
        hint={trans.__("Orchest's base images are mapped to local images by the server's base image aliases.")}
      >
        <input
          className="jp-mod-styled"
          name="base_image"
          value={form.baseImage}
          spellCheck={false}
          onChange={e => update({ ...form, baseImage: e.target.value })}
        />
      </Field>
      <CheckField
        name="gpu_support"
        label={trans.__('GPU support')}
        checked={form.gpuSupport}
        onChange={gpuSupport => update({ ...form, gpuSupport })}
      />
      <CheckField
        name="network"
        label={trans.__("Network: steps and kernels get the host's network")}
        checked={form.network}
        onChange={network => update({ ...form, network })}
      />
    </div>
  );
}

/**
 * The body of the dialog: the form, read back by the dialog on accept.
 */
class EnvironmentFormBody extends ReactWidget implements Dialog.IBodyWidget<IEnvironmentForm> {
  constructor(
    private _form: IEnvironmentForm,
    private readonly _problems: IFormProblem[],
    private readonly _trans: TranslationBundle
  ) {
    super();
  }

  getValue(): IEnvironmentForm {
    return this._form;
  }

  render(): JSX.Element {
    return (
      <FormView
        initial={this._form}
        problems={this._problems}
        trans={this._trans}
        onChange={form => {
          this._form = form;
        }}
      />
    );
  }
}

/**
 * Ask for the properties of a new environment (`env` absent) or of `env`;
 * asks again, naming the problems, until the form is valid. Null: cancelled.
 */
export async function askEnvironmentForm(
  trans: TranslationBundle,
  env?: IEnvironment
): Promise<IEnvironmentForm | null> {
  let form = formOf(env);
  let problems: IFormProblem[] = [];
  for (;;) {
    const result = await showDialog({
      title: env ? trans.__('Environment “%1”', env.name) : trans.__('New environment'),
      body: new EnvironmentFormBody(form, problems, trans),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: env ? trans.__('Save') : trans.__('Create') })
      ],
      focusNodeSelector: 'input[name="name"]'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    form = result.value;
    problems = formProblems(form, trans);
    if (!problems.length) {
      return form;
    }
  }
}
