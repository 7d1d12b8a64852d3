/**
 * Types of a pipeline's interactive session.
 */

import type { IService } from './services';

/** Statuses of an interactive session. */
export type SessionStatus = 'STOPPED' | 'LAUNCHING' | 'RUNNING' | 'STOPPING' | 'FAILURE';

/**
 * The interactive session of a pipeline (its kernels and services).
 */
export interface ISession {
  /** The pipeline file, relative to the server's root folder. */
  pipeline_path: string;
  project_path: string;
  status: SessionStatus;
  /** What it does now, or why it failed. */
  message: string | null;
  started: string | null;
  backend: string;
  environments: { uuid: string; name: string; image: string }[];
  kernels: { id: string; name: string; path: string }[];
  /** Its services (docs/services.md), when the server runs them. */
  services?: IService[];
}
