/**
 * The form of one service: Orchest's fields, each with what is wrong with it
 * as the user types. Text commits when it loses focus or on Enter, choices at
 * once; the owner of the draft decides whether a commit is written.
 */

import { TranslationBundle } from '@jupyterlab/translation';
import { closeIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IEnvironment } from '../api';
import { CheckField, Field } from '../components/field';
import { DraftProblems } from './checks';
import { IServiceDraft } from './draft';
import { ENVIRONMENT_IMAGE_PREFIX, ServiceScope } from './model';

export interface IServiceFormProps {
  draft: IServiceDraft;
  problems: DraftProblems;
  /** The project's environments, or null when not known. */
  environments: IEnvironment[] | null;
  /** Show Orchest's older `entrypoint` (the stored service has one). */
  showEntrypoint: boolean;
  disabled: boolean;
  trans: TranslationBundle;
  /** The draft changed; `commit`: write it now (a choice, or text that lost focus). */
  onChange(draft: IServiceDraft, commit: boolean): void;
}

/** A text input of the draft: changes as typed, commits on blur and Enter. */
function DraftInput(props: {
  name: string;
  value: string;
  placeholder?: string;
  disabled: boolean;
  invalid: boolean;
  onChange(value: string, commit: boolean): void;
}): JSX.Element {
  return (
    <input
      className={`jp-mod-styled ${props.invalid ? 'jp-mod-invalid' : ''}`}
      name={props.name}
      value={props.value}
      placeholder={props.placeholder}
      disabled={props.disabled}
      spellCheck={false}
      aria-invalid={props.invalid}
      onChange={e => props.onChange(e.target.value, false)}
      onBlur={e => props.onChange(e.target.value, true)}
      onKeyDown={e => {
        if (e.key === 'Enter') {
          props.onChange(e.currentTarget.value, true);
        }
      }}
    />
  );
}

/** The image: a name, or one of the project's environments. */
function ImageField(props: IServiceFormProps): JSX.Element {
  const { draft, environments, disabled, trans, onChange } = props;
  const fromEnvironment = draft.image.startsWith(ENVIRONMENT_IMAGE_PREFIX);
  const uuid = fromEnvironment ? draft.image.slice(ENVIRONMENT_IMAGE_PREFIX.length) : '';
  const known = environments?.some(e => e.uuid === uuid) ?? false;
  return (
    <Field label={trans.__('Image')} problem={props.problems.image} group>
      <select
        className="jp-mod-styled"
        name="service-image-source"
        aria-label={trans.__('Image of an environment, or by name')}
        value={fromEnvironment ? draft.image : ''}
        disabled={disabled}
        onChange={e => onChange({ ...draft, image: e.target.value }, e.target.value !== '')}
      >
        <option value="">{trans.__('An image by name')}</option>
        {fromEnvironment && !known ? (
          <option value={draft.image}>
            {environments
              ? trans.__('Not an environment of this project (%1)', uuid || '—')
              : trans.__('Environment %1', uuid)}
          </option>
        ) : null}
        {(environments ?? []).map(e => (
          <option key={e.uuid} value={`${ENVIRONMENT_IMAGE_PREFIX}${e.uuid}`}>
            {trans.__('Environment: %1', e.name)}
          </option>
        ))}
      </select>
      {fromEnvironment ? null : (
        <DraftInput
          name="service-image"
          value={draft.image}
          placeholder={trans.__('e.g. redis:7')}
          disabled={disabled}
          invalid={!!props.problems.image}
          onChange={(image, commit) => onChange({ ...draft, image }, commit)}
        />
      )}
    </Field>
  );
}

/** `env_variables`: name and value rows (not secrets: the file keeps them). */
function VariableRows(props: IServiceFormProps): JSX.Element {
  const { draft, disabled, trans, onChange } = props;
  const setRow = (index: number, patch: Partial<IServiceDraft['env'][number]>, commit: boolean): void =>
    onChange({ ...draft, env: draft.env.map((row, i) => (i === index ? { ...row, ...patch } : row)) }, commit);
  return (
    <Field label={trans.__('Environment variables')} problem={props.problems.env} group>
      {draft.env.map((row, i) => (
        <div className="jp-OrchestServices-variable" key={i}>
          <DraftInput
            name={`service-env-name-${i}`}
            value={row.name}
            placeholder={trans.__('NAME')}
            disabled={disabled}
            invalid={false}
            onChange={(name, commit) => setRow(i, { name }, commit)}
          />
          <DraftInput
            name={`service-env-value-${i}`}
            value={row.value}
            placeholder={trans.__('value')}
            disabled={disabled}
            invalid={false}
            onChange={(value, commit) => setRow(i, { value }, commit)}
          />
          <button
            type="button"
            className="jp-OrchestServices-iconButton"
            title={trans.__('Remove the variable %1', row.name)}
            disabled={disabled}
            onClick={() => onChange({ ...draft, env: draft.env.filter((_, j) => j !== i) }, true)}
          >
            <closeIcon.react tag="span" />
          </button>
        </div>
      ))}
      <button
        type="button"
        className="jp-mod-styled jp-mod-reject jp-OrchestServices-addVariable"
        disabled={disabled}
        onClick={() => onChange({ ...draft, env: [...draft.env, { name: '', value: '' }] }, false)}
      >
        {trans.__('Add a variable')}
      </button>
    </Field>
  );
}

/**
 * The fields of one service.
 */
export function ServiceForm(props: IServiceFormProps): JSX.Element {
  const { draft, problems, disabled, trans, onChange } = props;
  const text = (
    field: 'name' | 'entrypoint' | 'command' | 'args' | 'ports' | 'inherit' | 'projectDir' | 'dataDir',
    name: string,
    label: string,
    hint?: string,
    placeholder?: string
  ): JSX.Element => (
    <Field label={label} problem={problems[field]} hint={hint}>
      <DraftInput
        name={name}
        value={draft[field]}
        placeholder={placeholder}
        disabled={disabled}
        invalid={!!problems[field]}
        onChange={(value, commit) => onChange({ ...draft, [field]: value }, commit)}
      />
    </Field>
  );
  const scope = (value: ServiceScope, label: string): JSX.Element => (
    <CheckField
      name={`service-scope-${value}`}
      label={label}
      checked={draft.scope.includes(value)}
      disabled={disabled}
      onChange={checked =>
        onChange({ ...draft, scope: checked ? [...draft.scope, value] : draft.scope.filter(s => s !== value) }, true)
      }
    />
  );
  return (
    <div className="jp-OrchestServices-form">
      {text(
        'name',
        'service-name',
        trans.__('Name'),
        trans.__('Its host name for the steps; lower-case letters, digits and dashes.')
      )}
      <ImageField {...props} />
      {props.showEntrypoint
        ? text(
            'entrypoint',
            'service-entrypoint',
            trans.__('Entrypoint'),
            trans.__('Orchest’s older form: the entrypoint, with Command as its arguments.')
          )
        : null}
      {text('command', 'service-command', trans.__('Command'), trans.__('Replaces the image’s entrypoint, e.g. bash.'))}
      {text(
        'args',
        'service-args',
        trans.__('Args'),
        trans.__('Given to the command, split as a shell splits them, e.g. -c \'echo hello\'.')
      )}
      {text(
        'ports',
        'service-ports',
        trans.__('Ports'),
        trans.__('Each opens at its own URL through this Jupyter server.'),
        trans.__('e.g. 8000, 8501')
      )}
      {text('projectDir', 'service-project-dir', trans.__('Project directory mounted at'), undefined, trans.__('not mounted'))}
      {text('dataDir', 'service-data-dir', trans.__('Data directory (/data) mounted at'), undefined, trans.__('not mounted'))}
      <VariableRows {...props} />
      {text(
        'inherit',
        'service-inherit',
        trans.__('Inherited variables'),
        trans.__('Names of the run’s environment variables the service gets too (they win over its own).'),
        trans.__('e.g. API_KEY, TOKEN')
      )}
      <Field label={trans.__('Runs with')} problem={problems.scope} group>
        {scope('interactive', trans.__('Interactive sessions'))}
        {scope('noninteractive', trans.__('Non-interactive runs (jobs)'))}
      </Field>
      <CheckField
        name="service-preserve-base-path"
        label={trans.__('Preserve the base path (the service gets the whole URL path)')}
        checked={draft.preserveBasePath}
        disabled={disabled}
        onChange={checked => onChange({ ...draft, preserveBasePath: checked }, true)}
      />
      <CheckField
        name="service-requires-authentication"
        label={trans.__('Requires authentication (in Orchest; here the Jupyter server always asks)')}
        checked={draft.requiresAuthentication}
        disabled={disabled}
        onChange={checked => onChange({ ...draft, requiresAuthentication: checked }, true)}
      />
    </div>
  );
}
