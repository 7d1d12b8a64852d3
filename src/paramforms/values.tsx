/**
 * Parameter forms in a job's grid: each value of a parameter the schema
 * describes is edited through that parameter's form, and the schemas of the
 * pipeline and its steps are read when the job form opens.
 */

import { ContentsManager, ServerConnection } from '@jupyterlab/services';
import { FormComponent, IFormComponentProps } from '@jupyterlab/ui-components';
import validator from '@rjsf/validator-ajv8';
import * as React from 'react';

import { IParameterSchema, loadParameterSchema } from './schemas';

/** The grid's key of the pipeline's own parameters (as in ../jobs/grid). */
const PIPELINE_OWNER = 'pipeline_parameters';

/**
 * The forms of the pipeline's and each step's parameters, by grid owner
 * (those without a schema file, or whose file cannot be read, are left out).
 */
export async function loadGridSchemas(
  serverSettings: ServerConnection.ISettings,
  pipelinePath: string,
  pipeline: { [key: string]: unknown } | null
): Promise<Map<string, IParameterSchema>> {
  const contents = new ContentsManager({ serverSettings });
  const steps = (pipeline?.steps ?? {}) as { [uuid: string]: { file_path?: unknown } };
  const owners: [string, string | null][] = [[PIPELINE_OWNER, null]];
  for (const [uuid, step] of Object.entries(steps)) {
    if (typeof step?.file_path === 'string' && step.file_path) {
      owners.push([uuid, step.file_path]);
    }
  }
  const found = new Map<string, IParameterSchema>();
  await Promise.all(
    owners.map(async ([owner, filePath]) => {
      const schema = await loadParameterSchema(contents, pipelinePath, filePath).catch(() => null);
      if (schema) {
        found.set(owner, schema);
      }
    })
  );
  contents.dispose();
  return found;
}

/** One value of a parameter through its form. */
export function ValueForm(props: {
  schema: { [key: string]: unknown };
  value: unknown;
  idPrefix: string;
  onChange(value: unknown): void;
}): JSX.Element {
  const { schema, value, idPrefix, onChange } = props;
  return (
    <div className="jp-OrchestParamForm jp-OrchestParamForm-value">
      <FormComponent
        schema={schema}
        formData={value as IFormComponentProps['formData']}
        validator={validator as IFormComponentProps['validator']}
        idPrefix={idPrefix}
        liveValidate
        showErrorList={false}
        compact
        onChange={event => onChange(event.formData)}
      />
    </div>
  );
}
