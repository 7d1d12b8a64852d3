/**
 * The pipeline editor of a `.orchest` document: the pipeline model kept in
 * sync with the document context's text, validation, and opening step files;
 * the session and interactive runs are `InteractiveController`'s
 * (interactive.ts).
 */

import { DocumentRegistry } from '@jupyterlab/docregistry';
import { PathExt } from '@jupyterlab/coreutils';

import { openingKernelspec, prepareNotebookKernel } from '../notebooks/kernels';
import { PipelineFormatError, PipelineModel } from '../model';
import { errorMessage, replaceText } from './helpers';
import { InteractiveController } from './interactive';
import { ensureStepFile } from './missingfile';
import { IEditorServices } from './services';

/**
 * The state and actions of one pipeline editor.
 */
export class PipelineEditorController extends InteractiveController {
  constructor(context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>, services: IEditorServices) {
    super(context, services);
    context.model.contentChanged.connect(this._onTextChanged, this);
    context.pathChanged.connect(this._onPathChanged, this);
    context.fileChanged.connect(this._scheduleValidation, this);
    void context.ready.then(() => {
      this._onTextChanged();
      void this.refreshRun();
      void this.projectEnvironments.refresh(this.path);
      void this.openSession();
    });
  }

  /** Nothing can be edited (the file is not a pipeline, or set so). */
  get readOnly(): boolean {
    return !this.model || this._readOnly;
  }

  set readOnly(value: boolean) {
    this._readOnly = value;
    this.bump();
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
    void this.openSession();
  }

  private _readOnly = false;
  private _lastText: string | null = null;
  private _unsubscribeModel: (() => void) | null = null;
  private _validateTimer = 0;
}
