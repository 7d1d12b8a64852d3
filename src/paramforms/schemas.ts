/**
 * Reading the schema files of a step's or the pipeline's parameters, next to
 * the step file or the pipeline file (Orchest's convention), through
 * JupyterLab's contents service.
 */

import { PathExt } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';
import { UiSchema, uiSchemaOf } from './uischema';

/** A parameters object's form: its JSON Schema and UI schema. */
export interface IParameterSchema {
  /** The schema file, relative to the server's root. */
  path: string;
  schema: { [key: string]: unknown };
  uiSchema: UiSchema;
}

/**
 * The schema file of a step's parameters (`filePath` relative to the
 * pipeline file), or of the pipeline's (`filePath` null).
 */
export function schemaPath(pipelinePath: string, filePath: string | null): string {
  const base = filePath === null ? pipelinePath : PathExt.join(PathExt.dirname(pipelinePath), filePath);
  return `${base}.schema.json`;
}

/**
 * The names of the files in `path`'s folder. Asked first so that a missing
 * schema file (the usual case) costs no 404 in the browser's console.
 */
async function siblings(contents: Contents.IManager, path: string): Promise<Set<string>> {
  try {
    const folder = await contents.get(PathExt.dirname(path), { type: 'directory', content: true });
    return new Set((folder.content as Contents.IModel[]).map(item => item.name));
  } catch (error) {
    if ((error as { response?: Response }).response?.status === 404) {
      return new Set(); // no such folder
    }
    throw new Error(`${PathExt.dirname(path)}: ${(error as Error).message}`);
  }
}

async function readJSON(contents: Contents.IManager, path: string, names: Set<string>): Promise<unknown> {
  if (!names.has(PathExt.basename(path))) {
    return undefined;
  }
  try {
    const model = await contents.get(path, { type: 'file', format: 'text', content: true });
    return JSON.parse(String(model.content));
  } catch (error) {
    if ((error as { response?: Response }).response?.status === 404) {
      return undefined; // no such file
    }
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

/**
 * The form of a parameters object, or null when there is no schema file.
 * A schema file that cannot be read rejects with a message naming it.
 */
export async function loadParameterSchema(
  contents: Contents.IManager,
  pipelinePath: string,
  filePath: string | null
): Promise<IParameterSchema | null> {
  const path = schemaPath(pipelinePath, filePath);
  const names = await siblings(contents, path);
  const schema = await readJSON(contents, path, names);
  if (schema === undefined) {
    return null;
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new Error(`${path}: a JSON Schema of the parameters object must be an object.`);
  }
  const ui = await readJSON(contents, path.replace(/\.schema\.json$/, '.uischema.json'), names).catch(() => undefined);
  return { path, schema: schema as { [key: string]: unknown }, uiSchema: uiSchemaOf(ui) };
}
