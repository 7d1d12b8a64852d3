/**
 * Types of the environment variables of a project and of a pipeline
 * (`GET/PUT /env-variables?pipeline=`).
 */

/** Names and values. */
export interface IEnvVariables {
  [name: string]: string;
}

/** The variables of a pipeline's project and of the pipeline. */
export interface IEnvVariablesResponse {
  project: IEnvVariables;
  pipeline: IEnvVariables;
  /** The pipeline's over the project's: what every step of a run gets. */
  merged: IEnvVariables;
  /** The project folder, relative to the server's root ("" for the root). */
  project_path: string;
}

/** Which variables: the project's or the pipeline's. */
export type EnvLevel = 'project' | 'pipeline';
