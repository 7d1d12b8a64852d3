/**
 * What every pipeline canvas has, editable or not: the pipeline model, the
 * selection, the run shown with its live states, the log panel, the
 * project's environments and messages. `PipelineEditorController`
 * (document.ts, on interactive.ts's session and runs) edits a `.orchest`
 * document; `RunViewController` (runview.ts) shows a past run read-only. The
 * React view renders a controller and calls its actions; the commands call
 * the same actions.
 */

import { PathExt } from '@jupyterlab/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IEnvironment, IProblem, IReport } from '../api';
import { EventsClient, OrchestEvent } from '../events';
import { IStepView, PipelineModel } from '../model';
import { StepEdits } from './edits';
import { ProjectEnvironments } from './environments';
import { errorMessage, isInside } from './helpers';
import { IEditorServices } from './services';
import { autoLayout } from './layout';
import { isRunFinished, RunTracker } from './runstate';
import { ILogState, StepLogPanel } from './steplog';

/** A message shown over the canvas for a few seconds. */
export interface IBannerMessage {
  text: string;
  kind: 'info' | 'warning' | 'error';
  id: number;
}

/**
 * The state and actions shared by the pipeline editor and the run view.
 */
export abstract class PipelineController implements IDisposable {
  constructor(
    readonly services: IEditorServices,
    path: string,
    followNewRuns: boolean
  ) {
    this.runs = new RunTracker(path, followNewRuns);
    this.logPanel = new StepLogPanel(services.api, () => this.bump());
    this.projectEnvironments = new ProjectEnvironments(services.api, () => {
      this.applyEnvironments();
      this.bump();
    });
    this.logOpen = services.settings().logPanelOpen;
    services.events.received.connect(this.onEvent, this);
  }

  /** The pipeline file, relative to the server's root. */
  abstract get path(): string;

  /** Nothing can be edited. */
  abstract get readOnly(): boolean;

  /** Open a step's file (or what stands for it). */
  abstract openStepFile(uuid: string): Promise<void>;

  /** Show the run that belongs in the view again (after missed events). */
  abstract refreshRun(): Promise<void>;

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

  /** The pipeline model, or null until it is read (or when it cannot be shown). */
  model: PipelineModel | null = null;

  /** Why the pipeline cannot be shown, or null. */
  formatError: string | null = null;

  /** The run shown and its states. */
  readonly runs: RunTracker;

  /** The edits of the steps (refused while read-only). */
  readonly edits: StepEdits = new StepEdits(this);

  /** Selected steps and connections (`source->target`). */
  selection: ReadonlySet<string> = new Set();
  selectedEdges: ReadonlySet<string> = new Set();

  /** The last validation report, and its problems by step. */
  report: IReport | null = null;
  problemsByStep: Map<string, IProblem[]> = new Map();

  readonly projectEnvironments: ProjectEnvironments;

  /** Positions of steps that have none in the file (auto-layout). */
  layoutPositions: Map<string, [number, number]> = new Map();

  /** The log panel. */
  logOpen: boolean;
  readonly logPanel: StepLogPanel;

  /** The log shown in the log panel, or null. */
  get log(): ILogState | null {
    return this.logPanel.state;
  }

  /** The properties panel. */
  propertiesOpen = true;

  /** The banner message, or null. */
  banner: IBannerMessage | null = null;

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    window.clearTimeout(this._bannerTimer);
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
        this.bump();
      },
      kind === 'error' ? 10000 : 6000
    );
    this.bump();
  }

  dismissBanner(): void {
    this.banner = null;
    this.bump();
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
    this.bump();
  }

  selectAll(): void {
    if (this.model) {
      this.setSelection(this.model.steps.map(s => s.uuid));
    }
  }

  get selectedSteps(): IStepView[] {
    return this.model ? this.model.steps.filter(s => this.selection.has(s.uuid)) : [];
  }

  // ------------------------------------------------------------ view

  /** Where a step is drawn. */
  positionOf(step: IStepView): readonly [number, number] {
    return step.position ?? this.layoutPositions.get(step.uuid) ?? [0, 0];
  }

  /**
   * Lay every step out again (elkjs): stored in the pipeline (undoable) when
   * it can be edited, else only shown.
   */
  async layout(): Promise<void> {
    if (!this.model) {
      return;
    }
    const positions = await autoLayout(this.model.graph());
    if (this.readOnly) {
      this.layoutPositions = positions;
      this.bump();
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
    this.bump();
  }

  toggleProperties(open?: boolean): void {
    this.propertiesOpen = open ?? !this.propertiesOpen;
    this.bump();
  }

  /** A step's file path, relative to the server's root. */
  resolve(filePath: string): string {
    return PathExt.join(PathExt.dirname(this.path), filePath);
  }

  /**
   * Lay out the steps without a position (without changing the pipeline).
   */
  protected ensureLayout(): void {
    const model = this.model!;
    const missing = model.steps.filter(s => !s.position && !this.layoutPositions.has(s.uuid));
    if (!missing.length) {
      return;
    }
    void autoLayout(model.graph()).then(positions => {
      for (const step of missing) {
        const p = positions.get(step.uuid);
        if (p) {
          this.layoutPositions.set(step.uuid, p);
        }
      }
      this.bump();
      this._fitRequested.emit();
    });
  }

  // ------------------------------------------------------------ runs

  get isRunning(): boolean {
    return !!this.runs.run && !isRunFinished(this.runs.run);
  }

  /** The environments of the pipeline's project (properties, new steps), or null. */
  get environments(): IEnvironment[] | null {
    return this.projectEnvironments.list;
  }

  /** Before a step is added: the project's default environment when it has none. */
  async ensureEnvironment(): Promise<void> {
    try {
      await this.projectEnvironments.ensureOne(this.path);
    } catch (error) {
      this.say(this.services.trans.__('The default environment could not be created: %1', errorMessage(error)), 'error');
    }
  }

  /**
   * The language of a project's environment, the list read again once when it
   * does not have it (made since); `python` (Orchest's default) when unknown.
   */
  async environmentLanguage(environment: string | undefined): Promise<string> {
    const find = () => this.environments?.find(e => e.uuid === environment);
    if (environment && !find()) {
      await this.projectEnvironments.refresh(this.path);
    }
    return find()?.language || 'python';
  }

  protected applyEnvironments(): void {
    if (this.model && this.environments) {
      this.model.projectEnvironments = this.environments.map(({ uuid, name, language }) => ({ uuid, name, language }));
    }
  }

  // ------------------------------------------------------------ log

  /** Show the log of a step of the run shown: the log so far, then live lines. */
  showLog(stepUuid: string): Promise<void> {
    return this.logPanel.show(this.runs.runOf(stepUuid) ?? this.runs.run, stepUuid);
  }

  /** Show the log of the step shown in the run shown now. */
  protected refreshLog(): void {
    const selected = this.selection.size === 1 ? [...this.selection][0] : null;
    const step = this.logPanel.state?.stepUuid ?? selected;
    this.logPanel.follow((step && this.runs.runOf(step)) || this.runs.run, selected);
  }

  // ------------------------------------------------------------ events

  protected onEvent(_: EventsClient, event: OrchestEvent): void {
    switch (event.type) {
      case 'reset':
        void this.refreshRun();
        void this.projectEnvironments.refresh(this.path);
        this.logPanel.reload(this.runs.run);
        return;
      case 'log':
        this.logPanel.onLine(event.run_uuid, event.step_uuid, event.line);
        return;
      case 'environment':
        if (isInside(this.path, event.project_path)) {
          void this.projectEnvironments.refresh(this.path);
        }
        return;
      case 'session':
        return;
    }
    const previous = this.runs.run?.uuid;
    if (this.runs.apply(event)) {
      if (this.runs.run?.uuid !== previous) {
        this.refreshLog();
      }
      this.bump();
    }
  }

  /** Tell the views that something changed. */
  bump(): void {
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
  private _bannerTimer = 0;
  private _bannerId = 0;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every(x => b.has(x));
}
