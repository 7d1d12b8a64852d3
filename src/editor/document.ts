/**
 * The pipeline editor of a `.orchest` document: the pipeline model kept in
 * sync with the document context's text, validation, and interactive runs
 * in the pipeline's session.
 */

import { DocumentRegistry } from '@jupyterlab/docregistry';
import { PathExt } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';

import { openingKernelspec, prepareNotebookKernel } from '../notebooks/kernels';
import { APIError, IRun, ISession, RunType } from '../api';
import { PipelineFormatError, PipelineModel } from '../model';
import { SessionError } from '../sessions';
import { PipelineController } from './controller';
import { errorMessage, replaceText } from './helpers';
import { ensureStepFile } from './missingfile';
import { isSamePath } from './runstate';
import { IEditorServices } from './services';

/**
 * The state and actions of one pipeline editor.
 */
export class PipelineEditorController extends PipelineController {
  constructor(
    readonly context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>,
    services: IEditorServices
  ) {
    super(services, context.localPath ?? context.path, true);
    context.model.contentChanged.connect(this._onTextChanged, this);
    context.pathChanged.connect(this._onPathChanged, this);
    context.fileChanged.connect(this._scheduleValidation, this);
    services.sessions.changed.connect(this._onSessionChanged, this);
    void context.ready.then(() => {
      this._onTextChanged();
      void this.refreshRun();
      void this.projectEnvironments.refresh(this.path);
      void this._openSession();
    });
  }

  /** The pipeline file, relative to the server's root. */
  get path(): string {
    return this.context.localPath ?? this.context.path;
  }

  /** Nothing can be edited (the file is not a pipeline, or set so). */
  get readOnly(): boolean {
    return !this.model || this._readOnly;
  }

  set readOnly(value: boolean) {
    this._readOnly = value;
    this.bump();
  }

  /** Whether a run request is on its way. */
  starting = false;

  /** The session's status while a run waits for it to run, or null. */
  waitingForSession: ISession | null = null;

  /** The pipeline's interactive session, as last known. */
  get session(): ISession | null {
    return this.services.sessions.session(this.path);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearTimeout(this._validateTimer);
    this._unsubscribeModel?.();
    super.dispose();
  }

  /**
   * Open a step's file in JupyterLab; a notebook on its environment's kernel
   * (`orchest-kernel-<uuid>`) when the server serves it, else on a host kernel
   * of its environment's language when it names one of another language:
   * written into the notebook's kernelspec first (JupyterLab starts the kernel
   * the notebook names), or switched to when the notebook is open on another.
   */
  async openStepFile(uuid: string): Promise<void> {
    const step = this.model?.step(uuid);
    if (!step || !step.filePath) {
      return;
    }
    if (!(await ensureStepFile(this, uuid))) {
      return;
    }
    const path = this.resolve(step.filePath);
    if (PathExt.extname(path).toLowerCase() === '.ipynb') {
      try {
        const language = await this.environmentLanguage(step.environment);
        const kernelspec = await openingKernelspec(path, { uuid: step.environment, language }, this.services);
        if (kernelspec) {
          await prepareNotebookKernel(path, kernelspec, this.services);
        }
      } catch (error) {
        this.say(this.services.trans.__('%1 could not be set to its environment\'s kernel: %2', path, errorMessage(error)), 'warning');
      }
    }
    await this.services.commands.execute('docmanager:open', { path });
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

  /** Read the session when the editor opens; start it when the settings say so. */
  private async _openSession(): Promise<void> {
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
   * is started first when it does not run.
   */
  /** `cache`: steps whose inputs are unchanged since a successful run are not run (the step cache). */
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

  // ------------------------------------------------------------ sync

  private _onTextChanged(): void {
    if (this.isDisposed || !this.context.isReady) {
      return;
    }
    const text = this.context.model.toString();
    if (text === this._lastText) {
      return;
    }
    this._lastText = text;
    try {
      if (this.model) {
        this.model.load(text);
      } else {
        const model = PipelineModel.fromText(text);
        this.model = model;
        this.applyEnvironments();
        this._unsubscribeModel = model.changed.connect(change => this._onModelChanged(change.source));
      }
      this.formatError = null;
      this._afterDocumentChange();
    } catch (error) {
      this.formatError = error instanceof PipelineFormatError ? error.message : errorMessage(error);
      this.model = null;
      this._unsubscribeModel?.();
      this._unsubscribeModel = null;
      this.bump();
    }
  }

  private _onModelChanged(source: string): void {
    if (!this.model) {
      return;
    }
    if (source !== 'load') {
      const text = this.model.toText();
      this._lastText = text;
      replaceText(this.context.model, text);
    }
    this._afterDocumentChange();
  }

  private _afterDocumentChange(): void {
    const model = this.model!;
    // Forget selected steps that are gone.
    const present = new Set(model.steps.map(s => s.uuid));
    if ([...this.selection].some(u => !present.has(u))) {
      this.selection = new Set([...this.selection].filter(u => present.has(u)));
    }
    this.ensureLayout();
    this._scheduleValidation();
    this.bump();
  }

  private _scheduleValidation(): void {
    window.clearTimeout(this._validateTimer);
    this._validateTimer = window.setTimeout(() => void this.validate(), 400);
  }

  /**
   * Validate the current text as if it were saved (step files and
   * environments are checked too).
   */
  async validate(): Promise<void> {
    if (this.isDisposed || !this.context.isReady) {
      return;
    }
    const text = this.context.model.toString();
    try {
      const report = await this.services.api.validate(text, this.path);
      if (text !== this.context.model.toString()) {
        return; // a newer validation follows
      }
      this.report = report;
      const byStep = new Map<string, typeof report.problems>();
      for (const problem of report.problems) {
        if (problem.step_uuid) {
          const list = byStep.get(problem.step_uuid) ?? [];
          list.push(problem);
          byStep.set(problem.step_uuid, list);
        }
      }
      this.problemsByStep = byStep;
      this.bump();
    } catch (error) {
      console.warn('orchest-jlab: validation failed', error);
    }
  }

  private _onPathChanged(): void {
    const previous = this.runs.path;
    if (previous && previous !== this.path) {
      // The file was renamed or moved: its session under the old path owns nothing any more.
      void this.services.sessions.stop(previous).catch(() => undefined);
    }
    this.runs.path = this.path;
    this._scheduleValidation();
    void this.refreshRun();
    void this.projectEnvironments.refresh(this.path);
    void this._openSession();
  }

  private _readOnly = false;
  private _lastText: string | null = null;
  private _unsubscribeModel: (() => void) | null = null;
  private _validateTimer = 0;
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
