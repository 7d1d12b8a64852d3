/**
 * Small helpers of the editor: step files, connection ids, paths, error
 * messages.
 */

import { PathExt } from '@jupyterlab/coreutils';

/**
 * The file kinds a step can run.
 */
export const STEP_EXTENSIONS = ['.ipynb', '.py', '.sh', '.r', '.jl', '.js'];

/**
 * Whether a path is a notebook or script that can be a step.
 */
export function isStepFile(path: string): boolean {
  return STEP_EXTENSIONS.includes(PathExt.extname(path).toLowerCase());
}

/**
 * The id of the edge of a connection.
 */
export function edgeId(source: string, target: string): string {
  return `${source}->${target}`;
}

/**
 * Whether a path (relative to the server's root) lies in a folder ("" is
 * the root).
 */
export function isInside(path: string, folder: string): boolean {
  const parts = (p: string): string[] => p.split('/').filter(x => x && x !== '.');
  const inner = parts(path);
  const outer = parts(folder);
  return outer.length < inner.length && outer.every((x, i) => inner[i] === x);
}

/**
 * The message of an error, the server's for API errors.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
