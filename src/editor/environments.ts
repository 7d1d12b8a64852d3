/**
 * The environments of a pipeline's project, as an editor knows them: read
 * when it opens and when an `environment` event names the project. Reading
 * never writes: adding a step to a project that has no environment creates
 * the default one first (`ensureOne`).
 */

import { IEnvironment, OrchestAPI } from '../api';

export class ProjectEnvironments {
  constructor(
    private readonly _api: OrchestAPI,
    private readonly _changed: () => void
  ) {}

  /** The environments, or null while they are unknown. */
  list: IEnvironment[] | null = null;

  /** Read the environments of the project of `path` (a pipeline file). */
  async refresh(path: string): Promise<void> {
    try {
      this._set(await this._api.listEnvironments(path));
    } catch (error) {
      console.warn('orchest-jlab: cannot list the environments of', path, error);
    }
  }

  /** Make sure the project has an environment: the default one when it has none. */
  async ensureOne(path: string): Promise<void> {
    if (this.list === null) {
      await this.refresh(path);
    }
    if (this.list?.length === 0) {
      this._set([await this._api.createEnvironment(path, {})]);
    }
  }

  private _set(list: IEnvironment[]): void {
    this.list = list;
    this._changed();
  }
}
