/**
 * Small helpers of the editor: step files, connection ids, paths, error
 * messages, minimal text edits of a document.
 */

import { PathExt } from '@jupyterlab/coreutils';
import type { DocumentRegistry } from '@jupyterlab/docregistry';

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

/**
 * Put new text into a document model as one edit of the part that changed
 * (small edits for collaborators and the model's own undo), which also marks
 * the document dirty, as typing in an editor does.
 */
export function replaceText(model: DocumentRegistry.ICodeModel, text: string): void {
  const shared = model.sharedModel;
  const old = shared.getSource();
  if (old === text) {
    return;
  }
  let start = 0;
  const limit = Math.min(old.length, text.length);
  while (start < limit && old.charCodeAt(start) === text.charCodeAt(start)) {
    start++;
  }
  let endOld = old.length;
  let endNew = text.length;
  while (endOld > start && endNew > start && old.charCodeAt(endOld - 1) === text.charCodeAt(endNew - 1)) {
    endOld--;
    endNew--;
  }
  // Never split a surrogate pair.
  const isHigh = (s: string, i: number): boolean => i >= 0 && (s.charCodeAt(i) & 0xfc00) === 0xd800;
  if (start > 0 && isHigh(old, start - 1)) {
    start--;
  }
  if (endOld < old.length && isHigh(old, endOld - 1)) {
    endOld++;
    endNew++;
  }
  shared.updateSource(start, endOld, text.slice(start, endNew));
  model.dirty = true;
}
