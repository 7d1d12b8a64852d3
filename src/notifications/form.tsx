/**
 * The dialog that adds a webhook or changes one: URL, name, content type,
 * secret, TLS verification and the events it receives.
 */

import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IWebhook, WebhookContentType } from '../api';
import { CheckField, Field, TextField } from '../components/field';
import { askForm, useFormState } from '../components/formdialog';
import { EVENT_GROUPS, formOf, formProblems, IWebhookForm, IWebhookFormProblem } from './model';

/** The words of an event group. */
export function groupLabel(trans: TranslationBundle, id: string): string {
  const labels: { [id: string]: string } = {
    'job-run-failed': trans.__('A job run failed'),
    'job-failed': trans.__('A job failed'),
    'job-succeeded': trans.__('A job succeeded'),
    'cron-run-started': trans.__('A cron job’s run started')
  };
  return labels[id] ?? id;
}

function FormView(props: {
  initial: IWebhookForm;
  existing?: IWebhook;
  problems: IWebhookFormProblem[];
  trans: TranslationBundle;
  onChange: (form: IWebhookForm) => void;
}): JSX.Element {
  const { trans, problems, existing } = props;
  const [form, update] = useFormState(props.initial, props.onChange);
  const problem = (field: keyof IWebhookForm): string | null => {
    const found = problems.find(p => p.field === field);
    if (!found) {
      return null;
    }
    return found.problem === 'url'
      ? trans.__('An http:// or https:// URL is needed.')
      : trans.__('Choose at least one event.');
  };
  return (
    <div className="jp-OrchestWebhookForm">
      <TextField
        label={trans.__('URL')}
        problem={problem('url')}
        styled
        name="url"
        value={form.url}
        spellCheck={false}
        placeholder="https://hooks.example.com/…"
        onChange={url => update({ ...form, url })}
      />
      <TextField
        label={trans.__('Name (optional)')}
        styled
        name="name"
        value={form.name}
        onChange={name => update({ ...form, name })}
      />
      <Field label={trans.__('Content type')}>
        <select
          className="jp-mod-styled"
          name="content_type"
          value={form.contentType}
          onChange={e => update({ ...form, contentType: e.target.value as WebhookContentType })}
        >
          <option value="application/json">JSON (application/json)</option>
          <option value="application/x-www-form-urlencoded">{trans.__('Form (application/x-www-form-urlencoded)')}</option>
        </select>
      </Field>
      <Field
        label={trans.__('Secret (optional)')}
        hint={
          existing?.has_secret
            ? trans.__('It has a secret; leave this empty to keep it.')
            : trans.__('Requests are then signed: X-Hub-Signature is the HMAC SHA-256 of the body.')
        }
      >
        <input
          className="jp-mod-styled"
          type="password"
          name="secret"
          autoComplete="new-password"
          value={form.secret}
          disabled={form.removeSecret}
          onChange={e => update({ ...form, secret: e.target.value })}
        />
      </Field>
      {existing?.has_secret ? (
        <CheckField
          name="remove_secret"
          label={trans.__('Remove the secret')}
          checked={form.removeSecret}
          onChange={removeSecret => update({ ...form, removeSecret, secret: '' })}
        />
      ) : null}
      <CheckField
        name="verify_ssl"
        label={trans.__('Verify the TLS certificate')}
        checked={form.verifySsl}
        onChange={verifySsl => update({ ...form, verifySsl })}
      />
      <Field label={trans.__('Send when')} group problem={problem('groups')}>
        {EVENT_GROUPS.map(group => (
          <CheckField
            key={group.id}
            name={`event-${group.id}`}
            label={groupLabel(trans, group.id)}
            checked={form.groups.includes(group.id)}
            onChange={on =>
              update({ ...form, groups: on ? [...form.groups, group.id] : form.groups.filter(g => g !== group.id) })
            }
          />
        ))}
      </Field>
    </div>
  );
}

/**
 * Ask for a new webhook (`webhook` absent) or a change of `webhook`; asks
 * again, naming the problems, until the form is valid. Null: cancelled.
 */
export function askWebhookForm(trans: TranslationBundle, webhook?: IWebhook): Promise<IWebhookForm | null> {
  return askForm<IWebhookForm, IWebhookFormProblem>({
    title: webhook ? trans.__('Webhook “%1”', webhook.name || webhook.url) : trans.__('New webhook'),
    initial: formOf(webhook),
    render: (initial, problems, onChange) => (
      <FormView initial={initial} existing={webhook} problems={problems} trans={trans} onChange={onChange} />
    ),
    check: formProblems,
    cancelLabel: trans.__('Cancel'),
    acceptLabel: webhook ? trans.__('Save') : trans.__('Add'),
    focus: 'input[name="url"]'
  });
}
