/**
 * Types of the pipelines the server discovers and validates.
 */

/**
 * A discovered pipeline.
 */
export interface IPipelineSummary {
  path: string;
  name: string;
  uuid: string | null;
  step_count: number;
  valid: boolean;
  error_count: number;
  warning_count: number;
}

/**
 * A validation problem.
 */
export interface IProblem {
  /** JSON pointer (RFC 6901) into the document; "" is the whole document. */
  pointer: string;
  message: string;
  severity: 'error' | 'warning';
  step_uuid: string | null;
  step_title: string | null;
}

/**
 * A validation report.
 */
export interface IReport {
  valid: boolean;
  error_count: number;
  warning_count: number;
  problems: IProblem[];
}

/**
 * A pipeline as the server reads it.
 */
export interface IPipelineResponse {
  path: string;
  pipeline: { [key: string]: unknown } | null;
  report: IReport;
}

/**
 * A step of a pipeline that runs a given file.
 */
export interface IFileStep {
  pipeline_path: string;
  step_uuid: string;
  title: string;
}
