/**
 * The state behind one pipeline editor: the pipeline model kept in sync with
 * the document context's text, the selection, the run shown with its live
 * states, the validation problems and the log panel. The React view renders
 * it and calls its actions; the commands call the same actions.
 */

import { PathExt } from '@jupyterlab/coreutils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { Contents, KernelSpec } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { APIError, IEnvironment, IProblem, IReport, OrchestAPI, RunType } from '../api';
import { EventsClient, OrchestEvent } from '../events';
import {
  EditResult,
  IRefusal,
  IStepInit,
  IStepView,
  PipelineFormatError,
  PipelineModel
} from '../model';
import { autoLayout } from './layout';
import { isRunFinished, mergeLog, RunTracker } from './runstate';

/**
 * Settings of the editor (schema/plugin.json).
 */
export interface IEditorSettings {
  autoSaveBeforeRun: boolean;
  showMinimap: boolean;
  logPanelOpen: boolean;
}

export const DEFAULT_SETTINGS: IEditorSettings = {
  autoSaveBeforeRun: true,
  showMinimap: true,
  logPanelOpen: false
};

/**
 * What an editor needs from the application.
 */
export interface IEditorServices {
  api: OrchestAPI;
  events: EventsClient;
  commands: CommandRegistry;
  contents: Contents.IManager;
  kernelspecs: KernelSpec.IManager | null;
  trans: TranslationBundle;
  settings: () => IEditorSettings;
  /** Let the user pick a file (relative to the server's root), or null. */
  pickFile: ((title: string, defaultPath: string) => Promise<string | null>) | null;
}

/**
 * The log panel's content.
 */
export interface ILogState {
  runUuid: string;
  stepUuid: string;
  lines: string[];
  loading: boolean;
  error: string | null;
}

/**
 * A message shown over the canvas for a few seconds.
 */
export interface IBannerMessage {
  text: string;
  kind: 'info' | 'warning' | 'error';
  id: number;
}

/**
 * A clipboard shared by the editors of the page.
 */
let clipboard: string | null = null;

/**
 * The state and actions of one pipeline editor.
 */
export class PipelineEditorController implements IDisposable {
  constructor(
    readonly context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>,
    readonly services: IEditorServices
  ) {
    this.runs = new RunTracker(this.path);
    this.logOpen = services.settings().logPanelOpen;
    context.model.contentChanged.connect(this._onTextChanged, this);
    context.pathChanged.connect(this._onPathChanged, this);
    context.fileChanged.connect(this._scheduleValidation, this);
    services.events.received.connect(this._onEvent, this);
    void context.ready.then(() => {
      this._onTextChanged();
      void this.refreshRun();
      void this.refreshEnvironments();
    });
  }

  /** Changes whenever anything shown changes (React subscribes to it). */
  get version(): number {
    return this._version;
  }

  /** Emitted with the new version on every change. */
  get changed(): ISignal<this, number> {
    return this._changed;
  }

  /**
   * Emitted at most once per animation frame after changes: what views that
   * only need the latest state (step nodes) listen to.
   */
  get frameChanged(): ISignal<this, void> {
    return this._frameChanged;
  }

  /** Asks the view to fit the whole pipeline into view. */
  get fitRequested(): ISignal<this, void> {
    return this._fitRequested;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The pipeline file, relative to the server's root. */
  get path(): string {
    return this.context.localPath ?? this.context.path;
  }

  /** The pipeline model, or null until the file is read (or when it cannot be edited). */
  model: PipelineModel | null = null;

  /** Why the file cannot be edited as a pipeline, or null. */
  formatError: string | null = null;

  /** The run shown and its states. */
  readonly runs: RunTracker;

  /** Selected steps and connections (`source->target`). */
  selection: ReadonlySet<string> = new Set();
  selectedEdges: ReadonlySet<string> = new Set();

  /** The last validation report, and its problems by step. */
  report: IReport | null = null;
  problemsByStep: Map<string, IProblem[]> = new Map();

  /** The environments of the pipeline's project, or null when unknown. */
  environments: IEnvironment[] | null = null;

  /** Positions of steps that have none in the file (auto-layout). */
  layoutPositions: Map<string, [number, number]> = new Map();

  /** The log panel. */
  logOpen: boolean;
  log: ILogState | null = null;

  /** The properties panel. */
  propertiesOpen = true;

  /** The banner message, or null. */
  banner: IBannerMessage | null = null;

  /** Whether a run request is on its way. */
  starting = false;

  /**
   * The run shown when the user picked a past run (read-only mode), or null
   * when the editor follows the pipeline's latest interactive run.
   */
  pinnedRun: string | null = null;

  /** Nothing can be edited (the file is not a pipeline, or a past run is shown). */
  get readOnly(): boolean {
    return !this.model || this._readOnly || this.pinnedRun !== null;
  }

  set readOnly(value: boolean) {
    this._readOnly = value;
    this._bump();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    window.clearTimeout(this._validateTimer);
    window.clearTimeout(this._bannerTimer);
    this._unsubscribeModel?.();
    Signal.clearData(this);
  }

  // ------------------------------------------------------------ messages

  /** Show a message over the canvas for a few seconds. */
  say(text: string, kind: IBannerMessage['kind'] = 'info'): void {
    this.banner = { text, kind, id: ++this._bannerId };
    window.clearTimeout(this._bannerTimer);
    this._bannerTimer = window.setTimeout(
      () => {
        this.banner = null;
        this._bump();
      },
      kind === 'error' ? 10000 : 6000
    );
    this._bump();
  }

  dismissBanner(): void {
    this.banner = null;
    this._bump();
  }

  /** A refused connection, translated. */
  refusalMessage(refusal: IRefusal): string {
    const trans = this.services.trans;
    const s = refusal.steps;
    switch (refusal.reason) {
      case 'missing':
        return trans.__('There is no step "%1".', s[0]);
      case 'self':
        return trans.__('A step cannot be connected to itself ("%1").', s[0]);
      case 'duplicate':
        return trans.__('"%1" is already connected to "%2".', s[0], s[1]);
      case 'cycle':
        return trans.__(
          'Connecting "%1" to "%2" would make a cycle: %3.',
          s[0],
          s[1],
          s
            .slice(2)
            .map(t => `"${t}"`)
            .join(' → ')
        );
    }
    return refusal.message;
  }

  // ------------------------------------------------------------ selection

  setSelection(steps: Iterable<string>, edges: Iterable<string> = []): void {
    const next = new Set(steps);
    const nextEdges = new Set(edges);
    if (sameSet(next, this.selection) && sameSet(nextEdges, this.selectedEdges)) {
      return;
    }
    this.selection = next;
    this.selectedEdges = nextEdges;
    if (next.size === 1) {
      void this.showLog([...next][0]);
    }
    this._bump();
  }

  selectAll(): void {
    if (this.model) {
      this.setSelection(this.model.steps.map(s => s.uuid));
    }
  }

  get selectedSteps(): IStepView[] {
    return this.model ? this.model.steps.filter(s => this.selection.has(s.uuid)) : [];
  }

  // ------------------------------------------------------------ edits

  /**
   * Add a step; creates its file when `createFile` and the file is missing.
   */
  async addStep(init: IStepInit, createFile = false): Promise<string | null> {
    if (!this.model || this.readOnly) {
      return null;
    }
    if (createFile && init.filePath) {
      await this.createStepFile(init.filePath);
    }
    const uuid = this.model.addStep({ position: this.freePosition(), ...init });
    this.setSelection([uuid]);
    this._fitRequested.emit();
    return uuid;
  }

  /**
   * Add a step for each file (paths relative to the server's root), the
   * first at `position`, the others below it.
   */
  async addStepsForFiles(paths: string[], position?: [number, number]): Promise<string[]> {
    if (!this.model || this.readOnly) {
      return [];
    }
    const dir = PathExt.dirname(this.path);
    const [x, y] = position ?? this.freePosition();
    const created: string[] = [];
    paths.forEach((path, i) => {
      const filePath = PathExt.relative(dir || '.', path);
      const title = PathExt.basename(path, PathExt.extname(path));
      created.push(this.model!.addStep({ title, filePath, position: [x, y + i * 110] }));
    });
    this.setSelection(created);
    return created;
  }

  /**
   * Create an empty notebook or script for a step (relative to the pipeline's
   * folder) unless it exists.
   */
  async createStepFile(filePath: string): Promise<void> {
    const path = this.resolve(filePath);
    try {
      await this.services.contents.get(path, { content: false });
      return; // it exists
    } catch {
      // create it
    }
    const extension = PathExt.extname(path).toLowerCase();
    if (extension === '.ipynb') {
      await this.services.contents.save(path, {
        type: 'notebook',
        format: 'json',
        content: {
          cells: [],
          metadata: {
            kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' }
          },
          nbformat: 4,
          nbformat_minor: 5
        }
      });
    } else {
      const header =
        extension === '.sh'
          ? '#!/usr/bin/env bash\n'
          : extension === '.py'
            ? 'import orchest\n'
            : extension === '.r'
              ? '# An Orchest step\n'
              : '';
      await this.services.contents.save(path, { type: 'file', format: 'text', content: header });
    }
  }

  /** A free spot for a new step: right of the rightmost step. */
  freePosition(): [number, number] {
    const positions = this.model?.steps.map(s => this.positionOf(s)) ?? [];
    if (!positions.length) {
      return [100, 100];
    }
    const right = Math.max(...positions.map(p => p[0]));
    const top = Math.min(...positions.map(p => p[1]));
    return [right + 260, top];
  }

  /** Where a step is drawn. */
  positionOf(step: IStepView): readonly [number, number] {
    return step.position ?? this.layoutPositions.get(step.uuid) ?? [0, 0];
  }

  deleteSelection(): void {
    if (!this.model || this.readOnly) {
      return;
    }
    if (this.selection.size) {
      this.model.removeSteps(this.selection);
      this.setSelection([]);
    } else if (this.selectedEdges.size) {
      this.model.disconnectMany([...this.selectedEdges].map(parseEdgeId));
      this.setSelection([]);
    }
  }

  duplicateSelection(): void {
    if (!this.model || this.readOnly || !this.selection.size) {
      return;
    }
    this.setSelection(this.model.duplicateSteps(this.selection));
  }

  copySelection(): boolean {
    if (!this.model || !this.selection.size) {
      return false;
    }
    clipboard = this.model.copy(this.selection);
    return true;
  }

  cutSelection(): void {
    if (this.copySelection()) {
      this.deleteSelection();
    }
  }

  get canPaste(): boolean {
    return clipboard !== null && !this.readOnly;
  }

  paste(): void {
    if (!this.model || this.readOnly || clipboard === null) {
      return;
    }
    const created = this.model.paste(clipboard);
    if (created) {
      this.setSelection(created);
    }
  }

  connect(source: string, target: string): EditResult | null {
    if (!this.model || this.readOnly) {
      return null;
    }
    const result = this.model.connect(source, target);
    if (!result.ok) {
      this.say(this.refusalMessage(result), 'warning');
    }
    return result;
  }

  moveSteps(positions: Map<string, [number, number]>): void {
    if (this.model && !this.readOnly) {
      this.model.moveSteps(positions);
    }
  }

  undo(): void {
    if (!this.readOnly) {
      this.model?.undo();
    }
  }

  redo(): void {
    if (!this.readOnly) {
      this.model?.redo();
    }
  }

  /**
   * Lay every step out again (elkjs) and store the positions (undoable).
   */
  async layout(): Promise<void> {
    if (!this.model) {
      return;
    }
    const positions = await autoLayout(this.model.graph());
    if (this.readOnly) {
      this.layoutPositions = positions;
      this._bump();
    } else {
      this.model.moveSteps(positions, 'Auto-layout');
    }
    this._fitRequested.emit();
  }

  fitView(): void {
    this._fitRequested.emit();
  }

  toggleLog(open?: boolean): void {
    this.logOpen = open ?? !this.logOpen;
    if (this.logOpen && this.selection.size === 1) {
      void this.showLog([...this.selection][0]);
    }
    this._bump();
  }

  toggleProperties(open?: boolean): void {
    this.propertiesOpen = open ?? !this.propertiesOpen;
    this._bump();
  }

  /** A step's file path, relative to the server's root. */
  resolve(filePath: string): string {
    return PathExt.join(PathExt.dirname(this.path), filePath);
  }

  /**
   * Open a step's file in JupyterLab; a notebook with its environment's
   * kernel (`orchest-kernel-<uuid>`) when the server has that kernel.
   */
  async openStepFile(uuid: string): Promise<void> {
    const step = this.model?.step(uuid);
    if (!step || !step.filePath) {
      return;
    }
    const args: { path: string; kernel?: { name: string } } = { path: this.resolve(step.filePath) };
    const environment = this.environments?.find(e => e.uuid === step.environment);
    const specs = this.services.kernelspecs?.specs?.kernelspecs ?? {};
    if (PathExt.extname(step.filePath).toLowerCase() === '.ipynb' && environment && specs[environment.kernel_name]) {
      args.kernel = { name: environment.kernel_name };
    }
    await this.services.commands.execute('docmanager:open', args);
  }

  /**
   * Let the user choose the file of a step.
   */
  async chooseStepFile(uuid: string): Promise<void> {
    const step = this.model?.step(uuid);
    if (!step || !this.services.pickFile || this.readOnly) {
      return;
    }
    const dir = PathExt.dirname(this.path);
    const current = step.filePath ? PathExt.dirname(this.resolve(step.filePath)) : dir;
    const path = await this.services.pickFile(this.services.trans.__('Choose the file of “%1”', step.title), current);
    if (path && this.model?.has(uuid)) {
      this.model.updateStep(uuid, { file_path: PathExt.relative(dir || '.', path) }, 'Change file');
    }
  }

  // ------------------------------------------------------------ runs

  /**
   * Start an interactive run (saving the pipeline first when the settings
   * say so: runs read the file on disk).
   */
  async run(runType: RunType): Promise<void> {
    const trans = this.services.trans;
    if (!this.model || this.starting) {
      return;
    }
    const steps = runType === 'full' ? [] : [...this.selection];
    if (runType !== 'full' && !steps.length) {
      this.say(trans.__('Select the steps to run first.'), 'warning');
      return;
    }
    this.starting = true;
    this._bump();
    try {
      if (this.context.model.dirty) {
        if (this.services.settings().autoSaveBeforeRun) {
          await this.context.save();
        } else {
          this.say(trans.__('The pipeline has unsaved changes: the run uses the saved file.'), 'warning');
        }
      }
      const run = await this.services.api.startRun({
        pipeline: this.path,
        run_type: runType,
        steps,
        interactive: true
      });
      this.runs.setRun(run);
      this._refreshLog();
    } catch (error) {
      this.say(errorMessage(error), 'error');
    } finally {
      this.starting = false;
      this._bump();
    }
  }

  get isRunning(): boolean {
    return !!this.runs.run && !isRunFinished(this.runs.run);
  }

  async cancelRun(): Promise<void> {
    const run = this.runs.run;
    if (!run || isRunFinished(run)) {
      return;
    }
    try {
      this.runs.setRun(await this.services.api.cancelRun(run.uuid));
      this._bump();
    } catch (error) {
      this.say(errorMessage(error), 'error');
    }
  }

  /**
   * Show a past run, read-only: its states and its steps' logs.
   */
  async showRun(runUuid: string): Promise<void> {
    try {
      const run = await this.services.api.getRun(runUuid);
      this.pinnedRun = run.uuid;
      this.runs.setRun(run);
      this.log = null;
      this.selection = new Set();
      this.selectedEdges = new Set();
      this._bump();
    } catch (error) {
      this.say(errorMessage(error), 'error');
    }
  }

  /**
   * Leave read-only mode: follow the latest interactive run again.
   */
  async showLatestRun(): Promise<void> {
    this.pinnedRun = null;
    this.log = null;
    this._bump();
    await this.refreshRun();
  }

  /**
   * Show the latest interactive run of the pipeline (after opening, a page
   * reload mid-run, or missed events).
   */
  async refreshRun(): Promise<void> {
    if (this.pinnedRun) {
      try {
        this.runs.setRun(await this.services.api.getRun(this.pinnedRun));
        this._bump();
      } catch {
        // keep what is shown
      }
      return;
    }
    try {
      const runs = await this.services.api.listRuns({ pipeline: this.path, limit: 20 });
      const latest = runs.find(r => r.interactive) ?? null;
      if (latest && this.runs.run && latest.uuid !== this.runs.run.uuid) {
        // A run this editor started may not be listed yet: keep the newest.
        if (Date.parse(latest.created) < Date.parse(this.runs.run.created)) {
          return;
        }
      }
      this.runs.setRun(latest);
      this._refreshLog();
      this._bump();
    } catch (error) {
      // 404 until the file exists on disk: nothing to show.
      if (!(error instanceof APIError && error.status === 404)) {
        console.warn('orchest-jlab: cannot load the runs of', this.path, error);
      }
    }
  }

  /**
   * Read the environments of the pipeline's project (for the properties
   * panel and the environment of new steps).
   */
  async refreshEnvironments(): Promise<void> {
    try {
      this.environments = await this.services.api.listEnvironments(this.path);
      this._applyEnvironments();
      this._bump();
    } catch (error) {
      console.warn('orchest-jlab: cannot list the environments of', this.path, error);
    }
  }

  private _applyEnvironments(): void {
    if (this.model && this.environments) {
      this.model.projectEnvironments = this.environments.map(e => e.uuid);
    }
  }

  // ------------------------------------------------------------ log

  /**
   * Show the log of a step of the run shown: the log so far, then live lines.
   */
  async showLog(stepUuid: string): Promise<void> {
    const run = this.runs.run;
    if (!run || !run.steps[stepUuid]) {
      this.log = run ? { runUuid: run.uuid, stepUuid, lines: [], loading: false, error: null } : null;
      this._bump();
      return;
    }
    if (this.log && this.log.runUuid === run.uuid && this.log.stepUuid === stepUuid && !this.log.error) {
      return;
    }
    const state: ILogState = { runUuid: run.uuid, stepUuid, lines: [], loading: true, error: null };
    this.log = state;
    this._logArrived = [];
    this._bump();
    try {
      const text = await this.services.api.getStepLog(run.uuid, stepUuid);
      if (this.log !== state) {
        return;
      }
      this.log = { ...state, lines: mergeLog(text, this._logArrived), loading: false };
    } catch (error) {
      if (this.log !== state) {
        return;
      }
      this.log = { ...state, loading: false, error: errorMessage(error) };
    }
    this._bump();
  }

  private _refreshLog(): void {
    const stepUuid = this.log?.stepUuid ?? (this.selection.size === 1 ? [...this.selection][0] : null);
    if (stepUuid && this.runs.run && this.log?.runUuid !== this.runs.run.uuid) {
      this.log = null;
      void this.showLog(stepUuid);
    }
  }

  // ------------------------------------------------------------ sync

  private _onTextChanged(): void {
    if (this._disposed || !this.context.isReady) {
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
        this._applyEnvironments();
        this._unsubscribeModel = model.changed.connect(change => this._onModelChanged(change.source));
      }
      this.formatError = null;
      this._afterDocumentChange();
    } catch (error) {
      this.formatError =
        error instanceof PipelineFormatError ? error.message : errorMessage(error);
      this.model = null;
      this._unsubscribeModel?.();
      this._unsubscribeModel = null;
      this._bump();
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
    this._ensureLayout();
    this._scheduleValidation();
    this._bump();
  }

  private _ensureLayout(): void {
    const model = this.model!;
    const missing = model.steps.filter(s => !s.position && !this.layoutPositions.has(s.uuid));
    if (!missing.length) {
      return;
    }
    const graph = model.graph();
    void autoLayout(graph).then(positions => {
      for (const step of missing) {
        const p = positions.get(step.uuid);
        if (p) {
          this.layoutPositions.set(step.uuid, p);
        }
      }
      this._bump();
      this._fitRequested.emit();
    });
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
    if (this._disposed || !this.context.isReady) {
      return;
    }
    const text = this.context.model.toString();
    try {
      const report = await this.services.api.validate(text, this.path);
      if (text !== this.context.model.toString()) {
        return; // a newer validation follows
      }
      this.report = report;
      const byStep = new Map<string, IProblem[]>();
      for (const problem of report.problems) {
        if (problem.step_uuid) {
          const list = byStep.get(problem.step_uuid) ?? [];
          list.push(problem);
          byStep.set(problem.step_uuid, list);
        }
      }
      this.problemsByStep = byStep;
      this._bump();
    } catch (error) {
      console.warn('orchest-jlab: validation failed', error);
    }
  }

  private _onPathChanged(): void {
    this.runs.path = this.path;
    this._scheduleValidation();
    void this.refreshRun();
    void this.refreshEnvironments();
  }

  private _onEvent(_: EventsClient, event: OrchestEvent): void {
    if (event.type === 'reset') {
      void this.refreshRun();
      return;
    }
    if (event.type === 'log') {
      const log = this.log;
      if (log && event.run_uuid === log.runUuid && event.step_uuid === log.stepUuid) {
        if (log.loading) {
          this._logArrived.push(event.line);
        } else {
          // Appended in place: long logs must not be copied per line.
          log.lines.push(event.line);
          this.log = { ...log };
          this._bump();
        }
      }
      return;
    }
    if (this.pinnedRun && event.type === 'run-created') {
      return; // a past run is shown: new runs do not replace it
    }
    const previous = this.runs.run?.uuid;
    if (this.runs.apply(event)) {
      if (this.runs.run?.uuid !== previous) {
        this._refreshLog();
      }
      this._bump();
    }
  }

  private _bump(): void {
    if (this._disposed) {
      return;
    }
    this._version++;
    this._changed.emit(this._version);
    if (!this._frame) {
      this._frame = requestAnimationFrame(() => {
        this._frame = 0;
        if (!this._disposed) {
          this._frameChanged.emit();
        }
      });
    }
  }

  private _version = 0;
  private _changed = new Signal<this, number>(this);
  private _frameChanged = new Signal<this, void>(this);
  private _frame = 0;
  private _fitRequested = new Signal<this, void>(this);
  private _disposed = false;
  private _readOnly = false;
  private _lastText: string | null = null;
  private _unsubscribeModel: (() => void) | null = null;
  private _validateTimer = 0;
  private _bannerTimer = 0;
  private _bannerId = 0;
  private _logArrived: string[] = [];
}

/**
 * The file kinds a step can run.
 */
export const STEP_EXTENSIONS = ['.ipynb', '.py', '.sh', '.r'];

/**
 * Whether a path is a notebook or script that can be a step.
 */
export function isStepFile(path: string): boolean {
  return STEP_EXTENSIONS.includes(PathExt.extname(path).toLowerCase());
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

/**
 * The id of the edge of a connection.
 */
export function edgeId(source: string, target: string): string {
  return `${source}->${target}`;
}

function parseEdgeId(id: string): [string, string] {
  const [source, target] = id.split('->');
  return [source, target];
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every(x => b.has(x));
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
