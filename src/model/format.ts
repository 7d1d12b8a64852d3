/**
 * What the editor accepts as a pipeline document: refusing text it cannot
 * edit, with a message naming the problem (the server's validator reports
 * everything else).
 */

import { isObject, JSONObject, JSONValue, parse } from './json';

/**
 * The text cannot be edited as a pipeline.
 */
export class PipelineFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineFormatError';
  }
}

/**
 * Parse `.orchest` text into a document the model can hold.
 *
 * @throws PipelineFormatError
 */
export function parsePipeline(text: string): JSONObject {
  let value: JSONValue;
  try {
    value = parse(text);
  } catch (error) {
    throw new PipelineFormatError(`The file is not valid JSON: ${messageOf(error)}.`);
  }
  if (!isObject(value)) {
    throw new PipelineFormatError('A pipeline must be a JSON object.');
  }
  checkPipeline(value);
  return value;
}

/**
 * Refuse documents whose steps the editor cannot handle.
 *
 * @throws PipelineFormatError
 */
export function checkPipeline(document: JSONObject): void {
  const steps = document.steps;
  if (steps === undefined) {
    return;
  }
  if (!isObject(steps)) {
    throw new PipelineFormatError('"steps" must be an object of steps keyed by uuid.');
  }
  for (const [key, step] of Object.entries(steps)) {
    if (!isObject(step)) {
      throw new PipelineFormatError(`Step "${key}" must be an object.`);
    }
    const incoming = step.incoming_connections;
    if (incoming !== undefined && !Array.isArray(incoming)) {
      throw new PipelineFormatError(`The incoming_connections of step "${key}" must be a list.`);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
