/**
 * Types of a project's environments and their image builds.
 */

/** Statuses of an environment's build. */
export type BuildStatus = 'PENDING' | 'BUILDING' | 'SUCCESS' | 'FAILURE' | 'ABORTED';

/** Build statuses after which a build does not change any more. */
export const FINAL_BUILD_STATUSES: ReadonlySet<BuildStatus> = new Set(['SUCCESS', 'FAILURE', 'ABORTED']);

/** Languages of environments. */
export type EnvironmentLanguage = 'python' | 'r' | 'julia' | 'javascript';

/**
 * A build of an environment's image.
 */
export interface IBuild {
  uuid: string;
  environment_uuid: string;
  environment_name?: string;
  /** The project folder, absolute on the server. */
  project_dir?: string;
  /** The image's tag. */
  image: string;
  status: BuildStatus;
  base_image?: string | null;
  /** The base image after the alias map. */
  resolved_base_image?: string | null;
  build_hash?: string | null;
  /** What the environment's files (base image, setup script, language) hashed to when it was asked. */
  source_hash?: string | null;
  /** The image was up to date: nothing was built. */
  skipped?: boolean;
  requested?: string | null;
  started?: string | null;
  finished?: string | null;
  error?: string | null;
  log_path?: string | null;
}

/**
 * An environment of a project.
 */
export interface IEnvironment {
  uuid: string;
  name: string;
  language: string;
  base_image: string | null;
  gpu_support?: boolean;
  network?: boolean;
  setup_script?: string;
  kernel_name: string;
  valid: boolean;
  /** Schema errors of a hand-edited properties.json. */
  problems?: string[];
  /** The project folder, relative to the server's root ("" for the root). */
  project: string;
  /** What its files hash to now (with Docker): a successful build with another needs a rebuild. */
  source_hash?: string;
  /** The last build; null before the first, absent without Docker. */
  build?: IBuild | null;
}

/**
 * The fields of an environment that can be set (all optional).
 */
export interface IEnvironmentFields {
  name?: string;
  language?: EnvironmentLanguage;
  base_image?: string;
  gpu_support?: boolean;
  network?: boolean;
  setup_script?: string;
}
