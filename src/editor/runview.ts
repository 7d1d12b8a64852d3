/**
 * A past run shown read-only: the pipeline the run ran (not the file as it
 * is now), its states and logs, its executed notebooks, and a way to copy
 * that pipeline into an editable file.
 */

import { PathExt } from '@jupyterlab/coreutils';

import { APIError, IRun, IRunPipeline } from '../api';
import { PipelineFormatError, PipelineModel } from '../model';
import { PipelineController } from './controller';
import { errorMessage } from './helpers';
import { IEditorServices, PIPELINE_EDITOR_FACTORY } from './services';

/**
 * The first characters of a run's uuid, as titles show it.
 */
export function shortUuid(uuid: string): string {
  return uuid.slice(0, 8);
}

/**
 * How titles name a run ("Run %1"): its number among its pipeline's runs,
 * else (not numbered yet) the first characters of its uuid.
 */
export function runName(run: Pick<IRun, 'uuid' | 'number'>): string {
  return run.number ? String(run.number) : shortUuid(run.uuid);
}

/**
 * The path of a step's file within the run's project: step files are
 * relative to the pipeline file, which `pipeline_file` places in the project.
 */
export function runFilePath(pipelineFile: string, stepFile: string): string {
  return PathExt.normalize(PathExt.join(PathExt.dirname(pipelineFile), stepFile));
}

/**
 * The state and actions of a read-only view of a past run.
 */
export class RunViewController extends PipelineController {
  constructor(
    readonly runUuid: string,
    services: IEditorServices
  ) {
    super(services, '', false);
    this.propertiesOpen = false;
    this.ready = this._load();
  }

  /** Settles once the run and its pipeline are read (or could not be). */
  readonly ready: Promise<void>;

  /** The pipeline the run ran, once read. */
  pipeline: IRunPipeline | null = null;

  get path(): string {
    return this.pipeline?.pipeline_path ?? this.runs.run?.pipeline_path ?? '';
  }

  get readOnly(): boolean {
    return true;
  }

  /** The run shown, once read. */
  get run(): IRun | null {
    return this.runs.run;
  }

  /**
   * Open what a step made: a notebook's executed copy from the run, read-only;
   * for scripts, their log.
   */
  async openStepFile(uuid: string): Promise<void> {
    const step = this.model?.step(uuid);
    const run = this.run;
    if (!step || !step.filePath || !run) {
      return;
    }
    this.setSelection([uuid]);
    const trans = this.services.trans;
    if (PathExt.extname(step.filePath).toLowerCase() !== '.ipynb' || !this.services.showNotebook) {
      this.toggleLog(true);
      return;
    }
    const file = runFilePath(run.pipeline_file, step.filePath);
    try {
      const text = await this.services.api.getRunFile(run.uuid, file);
      this.services.showNotebook({
        content: JSON.parse(text),
        title: trans.__('%1 (run %2)', PathExt.basename(step.filePath), runName(run)),
        id: `orchest-run-notebook-${run.uuid}-${file}`
      });
    } catch (error) {
      this.say(
        error instanceof APIError && error.status === 404
          ? trans.__('The run has no copy of %1.', file)
          : trans.__('%1 cannot be shown: %2', file, errorMessage(error)),
        'error'
      );
    }
  }

  /**
   * Copy the pipeline the run ran into a new `.orchest` file (next to the
   * original) and open it in the editor; returns its path.
   */
  async createEditableCopy(): Promise<string | null> {
    try {
      const { path } = await this.services.api.copyRunPipeline(this.runUuid);
      await this.services.commands.execute('docmanager:open', { path, factory: PIPELINE_EDITOR_FACTORY });
      return path;
    } catch (error) {
      this.say(errorMessage(error), 'error');
      return null;
    }
  }

  async refreshRun(): Promise<void> {
    try {
      this.runs.setRun(await this.services.api.getRun(this.runUuid));
      this.bump();
    } catch {
      // keep what is shown
    }
  }

  private async _load(): Promise<void> {
    const api = this.services.api;
    try {
      const [run, pipeline] = await Promise.all([api.getRun(this.runUuid), api.getRunPipeline(this.runUuid)]);
      this.runs.path = pipeline.pipeline_path;
      this.runs.setRun(run);
      this.pipeline = pipeline;
      this.model = PipelineModel.fromText(JSON.stringify(pipeline.pipeline));
      this.formatError = null;
      this.ensureLayout();
      void this.projectEnvironments.refresh(this.path);
    } catch (error) {
      this.formatError = error instanceof PipelineFormatError ? error.message : errorMessage(error);
    }
    this.bump();
  }
}
