/**
 * The pipeline model of the editor: a parsed `.orchest` document and the
 * edits the editor makes to it, with undo and redo.
 *
 * The document is kept as the plain JSON value it was read as, like the
 * server does, so that fields this model does not know survive a save, and a
 * document saved without changes is written back byte for byte (see
 * `json/`). Every edit replaces the document with an edited copy, so the
 * previous one can be restored by undo, and a view can tell what changed by
 * identity.
 *
 * Reading the document is `PipelineDocument`'s (document.ts); steps.ts
 * makes and reads step objects, connections.ts refuses connections,
 * clipboard.ts copies steps, history.ts keeps the undo stacks.
 */

import { clipboardText, insertCopies, readClipboard } from './clipboard';
import { connectionRefusal, EditResult, IRefusal } from './connections';
import { PipelineDocument } from './document';
import { Emitter } from './emitter';
import { checkPipeline, parsePipeline } from './format';
import { History } from './history';
import { clone, isAscii, isObject, JSONObject, JSONValue, setKey } from './json';
import { applyPatch, incomingOf, IProjectEnvironment, IStepInit, newStep, round, stepKernel, stepsOf } from './steps';
import { uuid4 } from './uuid';

// What `import ... from './pipeline'` has always offered.
export { CLIPBOARD_KIND } from './clipboard';
export type { EditResult, IRefusal } from './connections';
export { PipelineFormatError } from './format';
export { DEFAULT_KERNEL, stepKernel } from './steps';
export type { IProjectEnvironment, IStepInit, IStepView } from './steps';

/**
 * Why the model changed.
 */
export interface IModelChange {
  readonly source: 'edit' | 'undo' | 'redo' | 'load';
  /** What the edit was ("Add step", "Connect"…). */
  readonly label: string;
}

/**
 * Options of the pipeline model.
 */
export interface IPipelineModelOptions {
  /**
   * The environments of the pipeline's project (in order), when known: new
   * steps use the first one unless the pipeline's steps agree on another, and
   * a step's kernel is its environment's language.
   */
  projectEnvironments?: IProjectEnvironment[];
  /** How many edits undo remembers (default 200). */
  historyLimit?: number;
}

/**
 * A pipeline document with edit operations, undo and redo.
 */
export class PipelineModel extends PipelineDocument {
  constructor(document: JSONObject, options: IPipelineModelOptions & { ensureAscii?: boolean } = {}) {
    super(document, options);
    this._history = new History(options.historyLimit ?? 200);
  }

  /**
   * A model of `.orchest` file text.
   *
   * @throws PipelineFormatError when the text is not JSON, not an object, or
   * its `steps` cannot be edited.
   */
  static fromText(text: string, options: IPipelineModelOptions = {}): PipelineModel {
    return new PipelineModel(PipelineModel.parseText(text), {
      ...options,
      ensureAscii: isAscii(text)
    });
  }

  /**
   * Parse `.orchest` text into a document the model can hold.
   */
  static parseText(text: string): JSONObject {
    return parsePipeline(text);
  }

  /**
   * Refuse documents whose steps the editor cannot handle (the validator
   * reports everything else).
   */
  static check(document: JSONObject): void {
    checkPipeline(document);
  }

  /**
   * Emitted after every change of the document.
   */
  readonly changed = new Emitter<IModelChange>();

  /**
   * Replace the document with new file text (the file changed on disk, or was
   * reverted). Clears the undo history.
   *
   * @throws PipelineFormatError, leaving the model unchanged.
   */
  load(text: string): void {
    const document = PipelineModel.parseText(text);
    this._replace(document);
    this.ensureAscii = isAscii(text);
    this._history.clear();
    this.changed.emit({ source: 'load', label: 'Load' });
  }

  // ------------------------------------------------------------ history

  get canUndo(): boolean {
    return this._history.canUndo;
  }

  get canRedo(): boolean {
    return this._history.canRedo;
  }

  /** What undo would undo, or null. */
  get undoLabel(): string | null {
    return this._history.undoLabel;
  }

  /** What redo would redo, or null. */
  get redoLabel(): string | null {
    return this._history.redoLabel;
  }

  undo(): boolean {
    const entry = this._history.undo();
    if (!entry) {
      return false;
    }
    this._set(entry.before, { source: 'undo', label: entry.label });
    return true;
  }

  redo(): boolean {
    const entry = this._history.redo();
    if (!entry) {
      return false;
    }
    this._set(entry.after, { source: 'redo', label: entry.label });
    return true;
  }

  /**
   * Forget the undo history (e.g. after a save, if wanted).
   */
  clearHistory(): void {
    this._history.clear();
  }

  // ------------------------------------------------------------ edits

  /**
   * Add a step; returns its uuid.
   */
  addStep(init: IStepInit = {}): string {
    const uuid = uuid4();
    this._edit('Add step', doc => {
      setKey(stepsOf(doc), uuid, this._newStep(uuid, init));
    });
    return uuid;
  }

  /**
   * Remove steps and every connection to them.
   */
  removeSteps(uuids: Iterable<string>): void {
    const gone = new Set([...uuids].filter(u => this.has(u)));
    if (!gone.size) {
      return;
    }
    this._edit(gone.size === 1 ? 'Delete step' : 'Delete steps', doc => {
      const steps = stepsOf(doc);
      for (const uuid of gone) {
        delete steps[uuid];
      }
      for (const step of Object.values(steps)) {
        const incoming = (step as JSONObject).incoming_connections;
        if (Array.isArray(incoming) && incoming.some(s => gone.has(s as string))) {
          (step as JSONObject).incoming_connections = incoming.filter(s => !gone.has(s as string));
        }
      }
    });
  }

  /**
   * Copy steps beside the originals; connections among them are copied, those
   * from other steps kept. Returns the new uuids, in the order given.
   */
  duplicateSteps(uuids: Iterable<string>, offset: [number, number] = [40, 40]): string[] {
    const originals = [...uuids].filter(u => this.has(u));
    if (!originals.length) {
      return [];
    }
    const steps = originals.map(u => clone(this._stepsObject()[u] as JSONObject));
    let created: string[] = [];
    this._edit(originals.length === 1 ? 'Duplicate step' : 'Duplicate steps', doc => {
      created = this._insertCopies(doc, steps, offset, title => `${title} (copy)`);
    });
    return created;
  }

  /**
   * Move steps to new positions (one history entry).
   */
  moveSteps(positions: ReadonlyMap<string, readonly [number, number]>, label = 'Move'): void {
    const moves = [...positions].filter(([uuid, [x, y]]) => {
      const current = this.step(uuid)?.position;
      return this.has(uuid) && (!current || current[0] !== x || current[1] !== y);
    });
    if (!moves.length) {
      return;
    }
    this._edit(label, doc => {
      const steps = stepsOf(doc);
      for (const [uuid, [x, y]] of moves) {
        const step = steps[uuid] as JSONObject;
        const meta = isObject(step.meta_data) ? step.meta_data : {};
        if (!isObject(step.meta_data)) {
          meta.hidden = false;
          step.meta_data = meta;
        }
        meta.position = [round(x), round(y)];
      }
    });
  }

  /**
   * Connect `source` to `target`: `target` gets `source`'s outputs. Refused
   * (with a message naming the steps) when a step is missing, the connection
   * exists, or it would make a cycle.
   */
  connect(source: string, target: string): EditResult {
    const refusal = this.checkConnection(source, target);
    if (refusal) {
      return { ok: false, ...refusal };
    }
    this._edit('Connect', doc => {
      const step = stepsOf(doc)[target] as JSONObject;
      step.incoming_connections = [...incomingOf(step), source];
    });
    return { ok: true };
  }

  /**
   * Why connecting `source` to `target` is refused, or null when it is fine.
   */
  checkConnection(source: string, target: string): IRefusal | null {
    return connectionRefusal(this, source, target);
  }

  /**
   * Remove the connection from `source` to `target`; false when there is none.
   */
  disconnect(source: string, target: string): boolean {
    return this.disconnectMany([[source, target]]);
  }

  /**
   * Remove connections (one history entry); false when none existed.
   */
  disconnectMany(connections: Iterable<readonly [string, string]>): boolean {
    const list = [...connections].filter(
      ([s, t]) => this.has(t) && incomingOf(this._stepsObject()[t] as JSONObject).includes(s)
    );
    if (!list.length) {
      return false;
    }
    this._edit(list.length === 1 ? 'Disconnect' : 'Remove connections', doc => {
      const steps = stepsOf(doc);
      for (const [source, target] of list) {
        const step = steps[target] as JSONObject;
        step.incoming_connections = incomingOf(step).filter(s => s !== source);
      }
    });
    return true;
  }

  /**
   * Change fields of a step: each key of `patch` is set, or removed when its
   * value is `undefined`. The uuid cannot change.
   */
  updateStep(uuid: string, patch: { [key: string]: JSONValue | undefined }, label = 'Edit step'): void {
    if (!this.has(uuid)) {
      return;
    }
    this._edit(label, doc => {
      const step = stepsOf(doc)[uuid] as JSONObject;
      applyPatch(step, patch, ['uuid']);
    });
  }

  /**
   * Change a step's environment and, as Orchest does, its kernel to that
   * environment's language (kept when the environment is not known).
   */
  setStepEnvironment(uuid: string, environment: string): void {
    const known = this.environmentOf(environment);
    this.updateStep(uuid, known ? { environment, kernel: stepKernel(known) } : { environment }, 'Change environment');
  }

  /**
   * Change top-level fields of the pipeline (name, settings, parameters…);
   * `undefined` removes a field. The steps cannot be replaced this way.
   */
  updatePipeline(patch: { [key: string]: JSONValue | undefined }, label = 'Edit pipeline'): void {
    this._edit(label, doc => applyPatch(doc, patch, ['steps']));
  }

  /**
   * Clipboard text holding copies of steps (and the connections among them).
   */
  copy(uuids: Iterable<string>): string {
    return clipboardText([...uuids].filter(u => this.has(u)).map(u => this._stepsObject()[u] as JSONObject));
  }

  /**
   * Paste steps from `copy`'s text, moved by `offset`; connections among them
   * are kept, those to steps of this pipeline too, others dropped. Returns
   * the new uuids, or null when the text holds no steps.
   */
  paste(text: string, offset: [number, number] = [40, 40]): string[] | null {
    const steps = readClipboard(text);
    if (!steps) {
      return null;
    }
    let created: string[] = [];
    this._edit(steps.length === 1 ? 'Paste step' : 'Paste steps', doc => {
      created = this._insertCopies(doc, steps, offset, title => title);
    });
    return created;
  }

  // ------------------------------------------------------------ internals

  private _newStep(uuid: string, init: IStepInit): JSONObject {
    return newStep(uuid, init, () => this.defaultEnvironment(), e => this.environmentOf(e), s => this.has(s));
  }

  private _insertCopies(
    doc: JSONObject,
    copies: JSONObject[],
    offset: [number, number],
    rename: (title: string) => string
  ): string[] {
    return insertCopies(stepsOf(doc), copies, offset, rename, uuid => this._newStep(uuid, {}));
  }

  /**
   * Apply an edit to a copy of the document and make it current, remembering
   * the previous one for undo.
   */
  private _edit(label: string, change: (draft: JSONObject) => void): void {
    const draft = clone(this.document);
    if (!isObject(draft.steps)) {
      draft.steps = {};
    }
    change(draft);
    this._history.record({ label, before: this.document, after: draft });
    this._set(draft, { source: 'edit', label });
  }

  private _set(document: JSONObject, change: IModelChange): void {
    this._replace(document);
    this.changed.emit(change);
  }

  private _history: History;
}
