/**
 * The form of a step's or the pipeline's parameters in the properties panel,
 * shown when a schema file sits next to the step file or the pipeline file.
 */

import { Contents } from '@jupyterlab/services';
import * as React from 'react';

import { Field } from '../components/field';
import { ParameterForm, useParameterSchema } from './form';

export interface IParameterFormFieldProps {
  contents: Contents.IManager;
  pipelinePath: string;
  /** The step's file (relative to the pipeline file), or null for the pipeline's parameters. */
  filePath: string | null;
  value: { [key: string]: unknown };
  disabled?: boolean;
  trans: { __(msgid: string, ...args: unknown[]): string };
  onCommit(value: { [key: string]: unknown }): void;
}

export function ParameterFormField(props: IParameterFormFieldProps): JSX.Element | null {
  const { contents, pipelinePath, filePath, value, disabled, trans, onCommit } = props;
  const { schema, error } = useParameterSchema(contents, pipelinePath, filePath);
  if (error) {
    return <div className="jp-OrchestProps-error jp-OrchestParamForm-error">{error}</div>;
  }
  if (!schema) {
    return null;
  }
  return (
    <Field label={trans.__('Parameters (form of %1)', schema.path.split('/').pop() ?? '')} group>
      <ParameterForm
        form={schema}
        value={value}
        disabled={disabled}
        idPrefix={`orchest-params-${filePath === null ? 'pipeline' : filePath}`}
        onCommit={onCommit}
      />
    </Field>
  );
}
