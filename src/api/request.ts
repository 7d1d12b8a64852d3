/**
 * One request of the orchest-jlab REST API: the URL under the server's base
 * URL, the server's error message as an `APIError`, JSON or text answers.
 */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * The path of the API under the server's base URL.
 */
export const API_PATH = 'orchest/api';

/**
 * An error answer of the API: `message` is the server's.
 */
export class APIError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errors: unknown[] = []
  ) {
    super(message);
    this.name = 'APIError';
  }
}

/**
 * Encode a path relative to the server's root, segment by segment.
 */
export function encodePath(path: string): string {
  return path
    .split('/')
    .filter(part => part !== '')
    .map(encodeURIComponent)
    .join('/');
}

/**
 * Send a request to `endpoint` (relative to the API) and read its answer.
 */
export async function requestAPI<T>(
  settings: ServerConnection.ISettings,
  endpoint: string,
  init: RequestInit = {},
  as: 'json' | 'text' = 'json'
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_PATH, endpoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`.trim();
    let errors: unknown[] = [];
    try {
      const body = JSON.parse(text);
      if (body && typeof body.message === 'string' && body.message) {
        message = body.message;
      }
      if (Array.isArray(body?.errors)) {
        errors = body.errors;
      }
    } catch {
      // not JSON: keep the status line
    }
    throw new APIError(message, response.status, errors);
  }
  if (response.status === 204) {
    return undefined as unknown as T;
  }
  if (as === 'text') {
    return text as unknown as T;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new APIError(`The server's answer is not JSON: ${text.slice(0, 100)}`, response.status);
  }
}
