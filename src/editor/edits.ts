/**
 * The edits of a pipeline's steps from the canvas, the commands and the
 * properties panel: add, delete, duplicate, copy / paste, connect, move,
 * undo / redo. Each does nothing while the pipeline is read-only.
 */

import { PathExt } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';

import { EditResult, IRefusal, IStepInit, IStepView, PipelineModel } from '../model';
import { newNotebookContent, stepNotebookKernelspec, unservedKernelspec } from '../notebooks/kernels';
import { IEditorServices } from './services';

/**
 * What a new step file starts with, by extension.
 */
const NEW_FILE_HEADERS: { [extension: string]: string } = {
  '.sh': '#!/usr/bin/env bash\n',
  '.py': 'import orchest\n',
  '.r': '# An Orchest step\n',
  '.jl': '# An Orchest step\n',
  '.js': '// An Orchest step\n'
};

/**
 * What the edits act on: the canvas's controller (`PipelineController`),
 * described here so that the edits need not import it.
 */
export interface IEditedCanvas {
  readonly model: PipelineModel | null;
  readonly readOnly: boolean;
  /** The pipeline file, relative to the server's root. */
  readonly path: string;
  readonly services: Pick<IEditorServices, 'contents' | 'trans' | 'pickFile' | 'kernelspecs' | 'notebooks'>;
  readonly selection: ReadonlySet<string>;
  readonly selectedEdges: ReadonlySet<string>;
  setSelection(steps: Iterable<string>, edges?: Iterable<string>): void;
  positionOf(step: IStepView): readonly [number, number];
  fitView(): void;
  /** A step's file relative to the server's root. */
  resolve(filePath: string): string;
  /** Make sure the project has an environment for new steps (the default one when it has none). */
  ensureEnvironment(): Promise<void>;
  /** The language of a project's environment (`python` when it is unknown). */
  environmentLanguage(environment: string | undefined): Promise<string>;
  say(text: string, kind?: 'info' | 'warning' | 'error'): void;
}

/**
 * A clipboard shared by the editors of the page.
 */
let clipboard: string | null = null;

/**
 * The edits of one pipeline canvas.
 */
export class StepEdits {
  constructor(private readonly _controller: IEditedCanvas) {}

  /** The model, when it can be edited. */
  private get _model() {
    const c = this._controller;
    return c.model && !c.readOnly ? c.model : null;
  }

  /**
   * Add a step; creates its file when `createFile` and the file is missing.
   */
  async addStep(init: IStepInit, createFile = false): Promise<string | null> {
    if (!this._model) {
      return null;
    }
    await this._controller.ensureEnvironment();
    if (!this._model) {
      return null;
    }
    if (createFile && init.filePath) {
      // A notebook names the kernel of the environment the step gets.
      await this.createStepFile(init.filePath, init.environment ?? this._model.defaultEnvironment());
    }
    const model = this._model;
    if (!model) {
      return null;
    }
    const uuid = model.addStep({ position: this.freePosition(), ...init });
    this._controller.setSelection([uuid]);
    this._controller.fitView();
    return uuid;
  }

  /**
   * Add a step for each file (paths relative to the server's root), the
   * first at `position`, the others below it.
   */
  async addStepsForFiles(paths: string[], position?: [number, number]): Promise<string[]> {
    if (!this._model) {
      return [];
    }
    await this._controller.ensureEnvironment();
    const model = this._model;
    if (!model) {
      return [];
    }
    const dir = PathExt.dirname(this._controller.path);
    const [x, y] = position ?? this.freePosition();
    const created = paths.map((path, i) =>
      model.addStep({
        title: PathExt.basename(path, PathExt.extname(path)),
        filePath: PathExt.relative(dir || '.', path),
        position: [x, y + i * 110]
      })
    );
    this._controller.setSelection(created);
    return created;
  }

  /**
   * Create an empty notebook or script for a step (relative to the pipeline's
   * folder) unless it exists; a notebook names the environment's kernel
   * (`orchest-kernel-<uuid>`) when the server serves it, else a host kernel of
   * the environment's language, else that language with no kernel installed
   * (never Python's for another language).
   */
  async createStepFile(filePath: string, environment?: string): Promise<void> {
    const contents = this._controller.services.contents;
    const path = this._controller.resolve(filePath);
    if (await fileExists(contents, path)) {
      return;
    }
    const extension = PathExt.extname(path).toLowerCase();
    if (extension === '.ipynb') {
      const language = await this._controller.environmentLanguage(environment);
      const kernelspec = await stepNotebookKernelspec(environment, language, this._controller.services.kernelspecs);
      await contents.save(path, {
        type: 'notebook',
        format: 'json',
        content: newNotebookContent(kernelspec ?? unservedKernelspec(environment, language))
      });
    } else {
      const header = NEW_FILE_HEADERS[extension] ?? '';
      await contents.save(path, { type: 'file', format: 'text', content: header });
    }
  }

  /** A free spot for a new step: right of the rightmost step. */
  freePosition(): [number, number] {
    const c = this._controller;
    const positions = c.model?.steps.map(s => c.positionOf(s)) ?? [];
    if (!positions.length) {
      return [100, 100];
    }
    const right = Math.max(...positions.map(p => p[0]));
    const top = Math.min(...positions.map(p => p[1]));
    return [right + 260, top];
  }

  deleteSelection(): void {
    const model = this._model;
    const c = this._controller;
    if (!model) {
      return;
    }
    if (c.selection.size) {
      model.removeSteps(c.selection);
      c.setSelection([]);
    } else if (c.selectedEdges.size) {
      model.disconnectMany([...c.selectedEdges].map(parseEdgeId));
      c.setSelection([]);
    }
  }

  duplicateSelection(): void {
    const model = this._model;
    if (model && this._controller.selection.size) {
      this._controller.setSelection(model.duplicateSteps(this._controller.selection));
    }
  }

  /** Copy the selected steps (read-only pipelines too). */
  copySelection(): boolean {
    const c = this._controller;
    if (!c.model || !c.selection.size) {
      return false;
    }
    clipboard = c.model.copy(c.selection);
    return true;
  }

  cutSelection(): void {
    if (this._model && this.copySelection()) {
      this.deleteSelection();
    }
  }

  get canPaste(): boolean {
    return clipboard !== null && !!this._model;
  }

  paste(): void {
    const model = this._model;
    if (!model || clipboard === null) {
      return;
    }
    const created = model.paste(clipboard);
    if (created) {
      this._controller.setSelection(created);
    }
  }

  connect(source: string, target: string): EditResult | null {
    const model = this._model;
    if (!model) {
      return null;
    }
    const result = model.connect(source, target);
    if (!result.ok) {
      this._controller.say(refusalMessage(this._controller.services.trans, result), 'warning');
    }
    return result;
  }

  moveSteps(positions: Map<string, [number, number]>): void {
    this._model?.moveSteps(positions);
  }

  undo(): void {
    this._model?.undo();
  }

  redo(): void {
    this._model?.redo();
  }

  /**
   * Let the user choose the file of a step.
   */
  async chooseStepFile(uuid: string): Promise<void> {
    const c = this._controller;
    const step = this._model?.step(uuid);
    const pickFile = c.services.pickFile;
    if (!step || !pickFile) {
      return;
    }
    const dir = PathExt.dirname(c.path);
    const current = step.filePath ? PathExt.dirname(c.resolve(step.filePath)) : dir;
    const path = await pickFile(c.services.trans.__('Choose the file of “%1”', step.title), current);
    const model = this._model;
    if (path && model?.has(uuid)) {
      model.updateStep(uuid, { file_path: PathExt.relative(dir || '.', path) }, 'Change file');
    }
  }

  /**
   * Change a step's environment and its kernel to the environment's language
   * (the list read again when it does not have it); when its notebook is open
   * on another kernel, offer to switch it to the new environment's kernel (or,
   * when that is not served, to a host kernel of the environment's language).
   */
  async setEnvironment(uuid: string, environment: string): Promise<void> {
    const c = this._controller;
    if (!this._model?.has(uuid) || this._model.step(uuid)?.environment === environment) {
      return;
    }
    const language = await c.environmentLanguage(environment);
    const step = this._model?.step(uuid);
    if (!step || !this._model || step.environment === environment) {
      return;
    }
    this._model.setStepEnvironment(uuid, environment);
    if (!step.filePath || PathExt.extname(step.filePath).toLowerCase() !== '.ipynb') {
      return;
    }
    const kernelspec = await stepNotebookKernelspec(environment, language, c.services.kernelspecs);
    if (kernelspec) {
      await c.services.notebooks?.offerKernel(c.resolve(step.filePath), kernelspec);
    }
  }
}

/**
 * A refused connection, translated.
 */
export function refusalMessage(trans: TranslationBundle, refusal: IRefusal): string {
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

/** Whether a file exists: only a 404 says it does not (other failures are thrown). */
export async function fileExists(contents: Contents.IManager, path: string): Promise<boolean> {
  try {
    await contents.get(path, { content: false });
    return true;
  } catch (error) {
    if ((error as { response?: Response }).response?.status === 404) {
      return false;
    }
    throw error;
  }
}

function parseEdgeId(id: string): [string, string] {
  const [source, target] = id.split('->');
  return [source, target];
}
