/**
 * The pipeline model of the editor: a parsed `.orchest` document and the
 * edits the editor makes to it, with undo and redo.
 *
 * The document is kept as the plain JSON value it was read as, like the
 * server does, so that fields this model does not know survive a save, and a
 * document saved without changes is written back byte for byte (see
 * `json.ts`). Every edit replaces the document with an edited copy, so the
 * previous one can be restored by undo, and a view can tell what changed by
 * identity.
 */

import { downstreamPath, Incoming } from './dag';
import { Emitter } from './emitter';
import {
  clone,
  isAscii,
  isObject,
  JSONObject,
  JSONValue,
  parse,
  setKey,
  stringify,
  toNumber
} from './json';
import { NIL_UUID, uuid4 } from './uuid';

/**
 * The kernel of new steps (Orchest's default for Python environments).
 */
export const DEFAULT_KERNEL = { name: 'python', display_name: 'Python 3' };

/**
 * A step as the editor shows it, read from the document.
 */
export interface IStepView {
  readonly uuid: string;
  readonly title: string;
  readonly filePath: string;
  readonly incoming: readonly string[];
  readonly environment: string;
  /** `null` when the step has no (valid) position. */
  readonly position: readonly [number, number] | null;
  readonly parameters: JSONObject;
  readonly hidden: boolean;
  /** The step object in the document (do not mutate). */
  readonly raw: JSONObject;
}

/**
 * What a new step starts with; everything is optional.
 */
export interface IStepInit {
  title?: string;
  filePath?: string;
  position?: [number, number];
  environment?: string;
  parameters?: JSONObject;
  kernel?: { name: string; display_name: string };
  incoming?: string[];
}

/**
 * The outcome of an edit that can be refused.
 */
export type EditResult = { ok: true } | ({ ok: false } & IRefusal);

/**
 * Why a connection is refused: `message` in English, `reason` and `steps`
 * (step labels: titles, or uuids for steps without one) to translate it.
 */
export interface IRefusal {
  readonly reason: 'missing' | 'self' | 'duplicate' | 'cycle';
  /**
   * missing: [the missing uuid]; self: [the step]; duplicate: [source,
   * target]; cycle: [source, target, ...the cycle from source back to it].
   */
  readonly steps: string[];
  readonly message: string;
}

/**
 * Why the model changed.
 */
export interface IModelChange {
  readonly source: 'edit' | 'undo' | 'redo' | 'load';
  /** What the edit was ("Add step", "Connect"…). */
  readonly label: string;
}

interface IHistoryEntry {
  label: string;
  before: JSONObject;
  after: JSONObject;
}

/**
 * The kind of clipboard text `copy` writes.
 */
export const CLIPBOARD_KIND = 'orchest-jlab/steps';

/**
 * Options of the pipeline model.
 */
export interface IPipelineModelOptions {
  /**
   * The environments of the pipeline's project (uuids, in order), when known:
   * new steps use the first one unless the pipeline's steps agree on another.
   */
  projectEnvironments?: string[];
  /** How many edits undo remembers (default 200). */
  historyLimit?: number;
}

/**
 * The text cannot be edited as a pipeline.
 */
export class PipelineFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineFormatError';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A pipeline document with edit operations, undo and redo.
 */
export class PipelineModel {
  constructor(document: JSONObject, options: IPipelineModelOptions & { ensureAscii?: boolean } = {}) {
    PipelineModel.check(document);
    this._doc = document;
    this.ensureAscii = options.ensureAscii ?? true;
    this.projectEnvironments = options.projectEnvironments ?? [];
    this._historyLimit = options.historyLimit ?? 200;
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
    let value: JSONValue;
    try {
      value = parse(text);
    } catch (error) {
      throw new PipelineFormatError(`The file is not valid JSON: ${messageOf(error)}.`);
    }
    if (!isObject(value)) {
      throw new PipelineFormatError('A pipeline must be a JSON object.');
    }
    PipelineModel.check(value);
    return value;
  }

  /**
   * Refuse documents whose steps the editor cannot handle (the validator
   * reports everything else).
   */
  static check(document: JSONObject): void {
    const steps = document.steps;
    if (steps === undefined) {
      return;
    }
    if (!isObject(steps)) {
      throw new PipelineFormatError('"steps" must be an object of steps keyed by uuid.');
    }
    for (const [key, step] of Object.entries(steps)) {
      if (!isObject(step)) {
        throw new PipelineFormatError(`Step "${key}" must be an object.`);
      }
      const incoming = step.incoming_connections;
      if (incoming !== undefined && !Array.isArray(incoming)) {
        throw new PipelineFormatError(`The incoming_connections of step "${key}" must be a list.`);
      }
    }
  }

  /**
   * Escape non-ASCII text when saving (Python's `ensure_ascii`): true unless
   * the text the model was read from had non-ASCII characters.
   */
  ensureAscii: boolean;

  /**
   * Environments of the project, when known (see the options).
   */
  projectEnvironments: string[];

  /**
   * Emitted after every change of the document.
   */
  readonly changed = new Emitter<IModelChange>();

  /**
   * The document; replaced (never mutated) by every edit.
   */
  get document(): JSONObject {
    return this._doc;
  }

  /**
   * The document as the `.orchest` file holds it: keys sorted, 4-space
   * indent, trailing newline, ASCII-escaped when `ensureAscii`.
   */
  toText(): string {
    return stringify(this._doc, { ensureAscii: this.ensureAscii }) + '\n';
  }

  /**
   * Replace the document with new file text (the file changed on disk, or was
   * reverted). Clears the undo history.
   *
   * @throws PipelineFormatError, leaving the model unchanged.
   */
  load(text: string): void {
    const document = PipelineModel.parseText(text);
    this._doc = document;
    this.ensureAscii = isAscii(text);
    this._undo = [];
    this._redo = [];
    this._views = null;
    this.changed.emit({ source: 'load', label: 'Load' });
  }

  // ------------------------------------------------------------ reading

  /**
   * The pipeline's name.
   */
  get name(): string {
    return typeof this._doc.name === 'string' ? this._doc.name : '';
  }

  /**
   * The steps, in the order of the document.
   */
  get steps(): IStepView[] {
    if (!this._views) {
      this._views = Object.entries(this._stepsObject()).map(([key, raw]) =>
        PipelineModel._view(key, raw as JSONObject)
      );
    }
    return this._views;
  }

  /**
   * One step, or undefined.
   */
  step(uuid: string): IStepView | undefined {
    return this.steps.find(s => s.uuid === uuid);
  }

  /**
   * Whether a step exists.
   */
  has(uuid: string): boolean {
    return Object.prototype.hasOwnProperty.call(this._stepsObject(), uuid);
  }

  /**
   * For each step, the steps it depends on (those that exist).
   */
  graph(): Incoming {
    const steps = this._stepsObject();
    const graph = new Map<string, string[]>();
    for (const [uuid, step] of Object.entries(steps)) {
      graph.set(uuid, incomingOf(step as JSONObject).filter(s => s in steps));
    }
    return graph;
  }

  /**
   * A step's title, or its uuid when it has none (for messages).
   */
  label(uuid: string): string {
    const step = this._stepsObject()[uuid];
    const title = isObject(step) ? step.title : undefined;
    return typeof title === 'string' && title ? title : uuid;
  }

  /**
   * The environment of new steps: the one most of the pipeline's steps use,
   * else the project's first, else the nil UUID (which the server reports
   * as undefined: a warning while the project has no environments).
   */
  defaultEnvironment(): string {
    const counts = new Map<string, number>();
    for (const step of this.steps) {
      if (step.environment) {
        counts.set(step.environment, (counts.get(step.environment) ?? 0) + 1);
      }
    }
    let best: string | null = null;
    for (const [environment, count] of counts) {
      if (best === null || count > counts.get(best)!) {
        best = environment;
      }
    }
    return best ?? this.projectEnvironments[0] ?? NIL_UUID;
  }

  // ------------------------------------------------------------ history

  get canUndo(): boolean {
    return this._undo.length > 0;
  }

  get canRedo(): boolean {
    return this._redo.length > 0;
  }

  /** What undo would undo, or null. */
  get undoLabel(): string | null {
    return this._undo.length ? this._undo[this._undo.length - 1].label : null;
  }

  /** What redo would redo, or null. */
  get redoLabel(): string | null {
    return this._redo.length ? this._redo[this._redo.length - 1].label : null;
  }

  undo(): boolean {
    const entry = this._undo.pop();
    if (!entry) {
      return false;
    }
    this._redo.push(entry);
    this._set(entry.before, { source: 'undo', label: entry.label });
    return true;
  }

  redo(): boolean {
    const entry = this._redo.pop();
    if (!entry) {
      return false;
    }
    this._undo.push(entry);
    this._set(entry.after, { source: 'redo', label: entry.label });
    return true;
  }

  /**
   * Forget the undo history (e.g. after a save, if wanted).
   */
  clearHistory(): void {
    this._undo = [];
    this._redo = [];
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
    if (!this.has(source) || !this.has(target)) {
      const missing = this.has(source) ? target : source;
      return { reason: 'missing', steps: [missing], message: `There is no step "${missing}".` };
    }
    const [from, to] = [this.label(source), this.label(target)];
    if (source === target) {
      return {
        reason: 'self',
        steps: [from],
        message: `A step cannot be connected to itself ("${from}").`
      };
    }
    if (incomingOf(this._stepsObject()[target] as JSONObject).includes(source)) {
      return {
        reason: 'duplicate',
        steps: [from, to],
        message: `"${from}" is already connected to "${to}".`
      };
    }
    const path = downstreamPath(this.graph(), target, source);
    if (path) {
      const labels = [source, ...path].map(u => this.label(u));
      const cycle = labels.map(l => `"${l}"`).join(' → ');
      return {
        reason: 'cycle',
        steps: [from, to, ...labels],
        message: `Connecting "${from}" to "${to}" would make a cycle: ${cycle}.`
      };
    }
    return null;
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
    const steps = [...uuids].filter(u => this.has(u)).map(u => this._stepsObject()[u] as JSONObject);
    return stringify({ kind: CLIPBOARD_KIND, steps }, { indent: null, sortKeys: false });
  }

  /**
   * Paste steps from `copy`'s text, moved by `offset`; connections among them
   * are kept, those to steps of this pipeline too, others dropped. Returns
   * the new uuids, or null when the text holds no steps.
   */
  paste(text: string, offset: [number, number] = [40, 40]): string[] | null {
    let value: JSONValue;
    try {
      value = parse(text);
    } catch {
      return null;
    }
    if (!isObject(value) || value.kind !== CLIPBOARD_KIND || !Array.isArray(value.steps)) {
      return null;
    }
    const steps = value.steps.filter(isObject).map(s => clone(s));
    if (!steps.length) {
      return null;
    }
    let created: string[] = [];
    this._edit(steps.length === 1 ? 'Paste step' : 'Paste steps', doc => {
      created = this._insertCopies(doc, steps, offset, title => title);
    });
    return created;
  }

  // ------------------------------------------------------------ internals

  private _stepsObject(): JSONObject {
    return isObject(this._doc.steps) ? this._doc.steps : {};
  }

  private _newStep(uuid: string, init: IStepInit): JSONObject {
    const step: JSONObject = {
      environment: init.environment ?? this.defaultEnvironment(),
      file_path: init.filePath ?? '',
      incoming_connections: [...(init.incoming ?? [])].filter(s => this.has(s)),
      kernel: { ...(init.kernel ?? DEFAULT_KERNEL) },
      meta_data: {
        hidden: false,
        position: init.position ? [round(init.position[0]), round(init.position[1])] : [0, 0]
      },
      parameters: init.parameters ? clone(init.parameters) : {},
      title: init.title ?? '',
      uuid
    };
    return step;
  }

  private _insertCopies(
    doc: JSONObject,
    copies: JSONObject[],
    offset: [number, number],
    rename: (title: string) => string
  ): string[] {
    const target = stepsOf(doc);
    const mapping = new Map<string, string>();
    for (const step of copies) {
      if (typeof step.uuid === 'string') {
        mapping.set(step.uuid, uuid4());
      }
    }
    const created: string[] = [];
    for (const step of copies) {
      const uuid = (typeof step.uuid === 'string' && mapping.get(step.uuid)) || uuid4();
      step.uuid = uuid;
      if (typeof step.title === 'string') {
        step.title = rename(step.title);
      }
      step.incoming_connections = incomingOf(step)
        .map(s => mapping.get(s) ?? s)
        .filter(s => [...mapping.values()].includes(s) || s in target);
      const position = positionOf(step);
      const meta = isObject(step.meta_data) ? step.meta_data : { hidden: false };
      meta.position = position
        ? [round(position[0] + offset[0]), round(position[1] + offset[1])]
        : [round(offset[0]), round(offset[1])];
      step.meta_data = meta;
      for (const field of ['environment', 'parameters', 'kernel', 'file_path'] as const) {
        if (step[field] === undefined) {
          const defaults = this._newStep(uuid, {});
          step[field] = defaults[field];
        }
      }
      setKey(target, uuid, step);
      created.push(uuid);
    }
    return created;
  }

  /**
   * Apply an edit to a copy of the document and make it current, remembering
   * the previous one for undo.
   */
  private _edit(label: string, change: (draft: JSONObject) => void): void {
    const draft = clone(this._doc);
    if (!isObject(draft.steps)) {
      draft.steps = {};
    }
    change(draft);
    this._undo.push({ label, before: this._doc, after: draft });
    if (this._undo.length > this._historyLimit) {
      this._undo.shift();
    }
    this._redo = [];
    this._set(draft, { source: 'edit', label });
  }

  private _set(document: JSONObject, change: IModelChange): void {
    this._doc = document;
    this._views = null;
    this.changed.emit(change);
  }

  private static _view(key: string, raw: JSONObject): IStepView {
    const meta = isObject(raw.meta_data) ? raw.meta_data : {};
    return {
      uuid: key,
      title: typeof raw.title === 'string' ? raw.title : '',
      filePath: typeof raw.file_path === 'string' ? raw.file_path : '',
      incoming: incomingOf(raw),
      environment: typeof raw.environment === 'string' ? raw.environment : '',
      position: positionOf(raw),
      parameters: isObject(raw.parameters) ? raw.parameters : {},
      hidden: meta.hidden === true,
      raw
    };
  }

  private _doc: JSONObject;
  private _views: IStepView[] | null = null;
  private _undo: IHistoryEntry[] = [];
  private _redo: IHistoryEntry[] = [];
  private _historyLimit: number;
}

function stepsOf(doc: JSONObject): JSONObject {
  return doc.steps as JSONObject;
}

function incomingOf(step: JSONObject): string[] {
  const incoming = step.incoming_connections;
  return Array.isArray(incoming) ? incoming.filter((s): s is string => typeof s === 'string') : [];
}

function positionOf(step: JSONObject): [number, number] | null {
  const meta = step.meta_data;
  const position = isObject(meta) ? meta.position : undefined;
  if (!Array.isArray(position) || position.length !== 2) {
    return null;
  }
  const [x, y] = position.map(toNumber);
  return x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y) ? [x, y] : null;
}

function applyPatch(
  target: JSONObject,
  patch: { [key: string]: JSONValue | undefined },
  protectedKeys: string[]
): void {
  for (const [key, value] of Object.entries(patch)) {
    if (protectedKeys.includes(key)) {
      continue;
    }
    if (value === undefined) {
      delete target[key];
    } else {
      setKey(target, key, clone(value));
    }
  }
}

/**
 * Positions are stored as whole numbers: files stay tidy and diffs small.
 */
function round(n: number): number {
  return Math.round(n);
}
