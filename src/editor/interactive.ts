/**
 * The pipeline of a document context in its interactive session: the
 * session's start / stop / auto-start and the interactive runs started from
 * the editor. `PipelineEditorController` (document.ts) adds the document.
 */

import { DocumentRegistry } from '@jupyterlab/docregistry';
import { TranslationBundle } from '@jupyterlab/translation';

import { APIError, IRun, ISession, RunType } from '../api';
import { SessionError } from '../sessions';
import { PipelineController } from './controller';
import { errorMessage } from './helpers';
import { isSamePath } from './runstate';
import { IEditorServices } from './services';

/**
 * The session and interactive runs of a pipeline editor.
 */
export abstract class InteractiveController extends PipelineController {
  constructor(
    readonly context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>,
    services: IEditorServices
  ) {
    super(services, context.localPath ?? context.path, true);
    services.sessions.changed.connect(this._onSessionChanged, this);
  }

  /** The pipeline file, relative to the server's root. */
  get path(): string {
    return this.context.localPath ?? this.context.path;
  }

  /** Whether a run request is on its way. */
  starting = false;

  /** The session's status while a run waits for it to run, or null. */
  waitingForSession: ISession | null = null;

  /** The pipeline's interactive session, as last known. */
  get session(): ISession | null {
    return this.services.sessions.session(this.path);
  }

  // ------------------------------------------------------------ session

  /** Start the pipeline's interactive session. */
  async startSession(): Promise<void> {
    try {
      await this.services.sessions.start(this.path);
      this.sessionError = null;
    } catch (error) {
      this.say(errorMessage(error), 'error');
    }
  }

  /** Stop the pipeline's interactive session. */
  async stopSession(): Promise<void> {
    try {
      await this.services.sessions.stop(this.path);
    } catch (error) {
      this.say(errorMessage(error), 'error');
    }
  }

  /**
   * Why the session could not be started when the editor opened (e.g. the
   * pipeline has errors), or null: the session status's tooltip shows it.
   */
  sessionError: string | null = null;

  /** Read the session (when the editor opens, or its file moved); start it when the settings say so. */
  protected async openSession(): Promise<void> {
    this.sessionError = null;
    try {
      const session = await this.services.sessions.refresh(this.path);
      if (this.services.settings().autoStartSession && session.status !== 'RUNNING' && session.status !== 'LAUNCHING') {
        await this.services.sessions.start(this.path);
      }
    } catch (error) {
      // 404 until the file exists on disk. Other refusals are no reason to
      // interrupt: the toolbar says why, and a run or *Start* tries again.
      if (!(error instanceof APIError && error.status === 404)) {
        this.sessionError = errorMessage(error);
        this.bump();
      }
    }
  }

  private _onSessionChanged(_: unknown, session: ISession): void {
    if (isSamePath(session.pipeline_path, this.path)) {
      if (session.status === 'LAUNCHING' || session.status === 'RUNNING') {
        this.sessionError = null; // started after all (a run, or Start)
      }
      this.bump();
    }
  }

  // ------------------------------------------------------------ runs

  /**
   * Start an interactive run (saving the pipeline first when the settings
   * say so: runs read the file on disk), in the pipeline's session, which
   * is started first when it does not run. `cache`: steps whose inputs are
   * unchanged since a successful run are not run (the step cache).
   */
  async run(runType: RunType, cache = false): Promise<void> {
    const trans = this.services.trans;
    if (!this.model || this.starting) {
      return;
    }
    const steps = runType === 'full' ? [] : [...this.selection];
    if (!this.model.steps.length) {
      this.say(trans.__('This pipeline has no steps yet: add one before running it.'), 'warning');
      return;
    }
    if (runType !== 'full' && !steps.length) {
      this.say(trans.__('Select the steps to run first.'), 'warning');
      return;
    }
    this.starting = true;
    this.bump();
    try {
      if (this.context.model.dirty) {
        if (this.services.settings().autoSaveBeforeRun) {
          await this.context.save();
        } else {
          this.say(trans.__('The pipeline has unsaved changes: the run uses the saved file.'), 'warning');
        }
      }
      await this.services.sessions.ensureRunning(this.path, session => {
        this.waitingForSession = session;
        this.bump();
      });
      this.waitingForSession = null;
      this.bump();
      const run = await this.services.api.startRun({
        pipeline: this.path,
        run_type: runType,
        steps,
        interactive: true,
        ...(cache ? { cache: true } : {})
      });
      this.runs.setRun(run);
      this.refreshLog();
    } catch (error) {
      this.say(sessionErrorText(this.services.trans, error), 'error');
    } finally {
      this.starting = false;
      this.waitingForSession = null;
      this.bump();
    }
  }

  /** Show a run started for this pipeline elsewhere (e.g. a notebook's *Run step*), as it started. */
  showRun(run: IRun): void {
    this.runs.setRun(run);
    this.refreshLog();
    this.bump();
  }

  async cancelRun(): Promise<void> {
    const run = this.runs.run;
    if (!run || !this.isRunning) {
      return;
    }
    try {
      this.runs.setRun(await this.services.api.cancelRun(run.uuid));
      this.bump();
    } catch (error) {
      this.say(errorMessage(error), 'error');
    }
  }

  /**
   * Show the latest interactive run of the pipeline (after opening, a page
   * reload mid-run, or missed events).
   */
  async refreshRun(): Promise<void> {
    try {
      const shown = this.runs.run?.uuid;
      const runs = await this.services.api.listRuns({ pipeline: this.path, limit: 20 });
      const latest = runs.find(r => r.interactive) ?? null;
      const arrived = this.runs.run;
      if (arrived && arrived.uuid !== shown && !runs.some(r => r.uuid === arrived.uuid)) {
        // A run shown while the list was on its way (its event, or its start) is newer than the list.
        this.runs.addEarlierRuns(runs.filter(r => r.interactive));
        this.bump();
        return;
      }
      if (latest && this.runs.run && latest.uuid !== this.runs.run.uuid) {
        // A run this editor started may not be listed yet: keep the newest.
        if (Date.parse(latest.created) < Date.parse(this.runs.run.created)) {
          return;
        }
      }
      this.runs.setRun(latest);
      this.runs.addEarlierRuns(runs.filter(r => r.interactive));
      this.refreshLog();
      this.bump();
    } catch (error) {
      // 404 until the file exists on disk: nothing to show.
      if (!(error instanceof APIError && error.status === 404)) {
        console.warn('orchest-jlab: cannot load the runs of', this.path, error);
      }
    }
  }
}

/**
 * The message of an error of a run; a session that failed or was stopped
 * while the run waited for it says so.
 */
export function sessionErrorText(trans: TranslationBundle, error: unknown): string {
  if (error instanceof SessionError) {
    const path = error.session.pipeline_path;
    return error.session.status === 'FAILURE'
      ? trans.__('The interactive session of %1 failed: %2', path, error.message || trans.__('no reason given'))
      : trans.__('The interactive session of %1 was stopped before the run could start.', path);
  }
  return errorMessage(error);
}
