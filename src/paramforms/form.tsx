/**
 * A parameters object edited through its schema's form (JupyterLab's
 * react-jsonschema-form component, validated with ajv as it is typed). A
 * change that follows the schema is committed when the field is left (or
 * after a pause); parameters the schema does not describe are kept.
 */

import { Contents } from '@jupyterlab/services';
import { FormComponent, IFormComponentProps } from '@jupyterlab/ui-components';
import { ReadonlyJSONObject } from '@lumino/coreutils';
import validator from '@rjsf/validator-ajv8';
import * as React from 'react';

import { IParameterSchema, loadParameterSchema } from './schemas';

type Values = { [key: string]: unknown };

/** The schema of a parameters object, read again when its file changes. */
export function useParameterSchema(
  contents: Contents.IManager,
  pipelinePath: string,
  filePath: string | null
): { schema: IParameterSchema | null; error: string | null } {
  const [state, setState] = React.useState<{ schema: IParameterSchema | null; error: string | null }>({
    schema: null,
    error: null
  });
  React.useEffect(() => {
    let cancelled = false;
    setState({ schema: null, error: null });
    if (filePath === '') {
      return;
    }
    loadParameterSchema(contents, pipelinePath, filePath)
      .then(schema => !cancelled && setState({ schema, error: null }))
      .catch(error => !cancelled && setState({ schema: null, error: (error as Error).message }));
    return () => {
      cancelled = true;
    };
  }, [contents, pipelinePath, filePath]);
  return state;
}

export interface IParameterFormProps {
  form: IParameterSchema;
  value: Values;
  disabled?: boolean;
  /** A distinct prefix of the form's element ids. */
  idPrefix: string;
  onCommit(value: Values): void;
}

export function ParameterForm(props: IParameterFormProps): JSX.Element {
  const { form, value, disabled, idPrefix, onCommit } = props;
  const [data, setData] = React.useState<Values>(value);
  const valid = React.useRef(true);
  const timer = React.useRef<number | undefined>(undefined);
  const incoming = JSON.stringify(value);
  React.useEffect(() => setData(JSON.parse(incoming)), [incoming]);

  const commit = (next: Values): void => {
    window.clearTimeout(timer.current);
    const merged = { ...value, ...next };
    if (valid.current && JSON.stringify(merged) !== incoming) {
      onCommit(merged);
    }
  };
  React.useEffect(() => () => window.clearTimeout(timer.current), []);

  return (
    <div className="jp-OrchestParamForm" data-schema={form.path} onBlur={() => commit(data)}>
      <FormComponent
        schema={form.schema}
        uiSchema={form.uiSchema as IFormComponentProps['uiSchema']}
        formData={data as ReadonlyJSONObject}
        validator={validator as IFormComponentProps['validator']}
        idPrefix={idPrefix}
        disabled={disabled}
        liveValidate
        showErrorList={false}
        compact
        onChange={event => {
          const next = (event.formData ?? {}) as Values;
          valid.current = !event.errors?.length;
          setData(next);
          window.clearTimeout(timer.current);
          timer.current = window.setTimeout(() => commit(next), 800);
        }}
      />
    </div>
  );
}
