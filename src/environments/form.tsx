/**
 * The dialog that creates an environment or edits its properties (name,
 * language, base image, GPU support, network).
 */

import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { EnvironmentLanguage, IEnvironment } from '../api';
import { CheckField, Field, TextField } from '../components/field';
import { askForm, useFormState } from '../components/formdialog';
import { formOf, formProblems, IEnvironmentForm, IFormProblem, languageLabel, LANGUAGES, withLanguage } from './model';

function FormView(props: {
  initial: IEnvironmentForm;
  problems: IFormProblem[];
  trans: TranslationBundle;
  onChange: (form: IEnvironmentForm) => void;
}): JSX.Element {
  const { trans, problems } = props;
  const [form, update] = useFormState(props.initial, props.onChange);
  const problem = (field: keyof IEnvironmentForm): string | null =>
    problems.find(p => p.field === field)?.message ?? null;
  return (
    <div className="jp-OrchestEnvForm">
      <TextField
        label={trans.__('Name')}
        problem={problem('name')}
        styled
        name="name"
        value={form.name}
        placeholder={trans.__('e.g. Python with pandas')}
        onChange={name => update({ ...form, name })}
      />
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
 * Ask for the properties of a new environment (`env` absent) or of `env`;
 * asks again, naming the problems, until the form is valid. Null: cancelled.
 */
export function askEnvironmentForm(trans: TranslationBundle, env?: IEnvironment): Promise<IEnvironmentForm | null> {
  return askForm<IEnvironmentForm, IFormProblem>({
    title: env ? trans.__('Environment “%1”', env.name) : trans.__('New environment'),
    initial: formOf(env),
    render: (initial, problems, onChange) => (
      <FormView initial={initial} problems={problems} trans={trans} onChange={onChange} />
    ),
    check: form => formProblems(form, trans),
    cancelLabel: trans.__('Cancel'),
    acceptLabel: env ? trans.__('Save') : trans.__('Create'),
    focus: 'input[name="name"]'
  });
}
