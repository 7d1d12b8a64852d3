/**
 * The undo / redo history of the pipeline model: a stack of document states.
 */

import { JSONObject } from './json';

/**
 * One edit: the documents before and after it.
 */
export interface IHistoryEntry {
  label: string;
  before: JSONObject;
  after: JSONObject;
}

/**
 * Undo and redo stacks; recording an edit forgets what could be redone.
 */
export class History {
  /**
   * @param limit - how many edits undo remembers (the oldest go first).
   */
  constructor(readonly limit: number) {}

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

  /**
   * Remember an edit.
   */
  record(entry: IHistoryEntry): void {
    this._undo.push(entry);
    if (this._undo.length > this.limit) {
      this._undo.shift();
    }
    this._redo = [];
  }

  /**
   * The edit to undo (moved to the redo stack), or undefined.
   */
  undo(): IHistoryEntry | undefined {
    const entry = this._undo.pop();
    if (entry) {
      this._redo.push(entry);
    }
    return entry;
  }

  /**
   * The edit to redo (moved back to the undo stack), or undefined.
   */
  redo(): IHistoryEntry | undefined {
    const entry = this._redo.pop();
    if (entry) {
      this._undo.push(entry);
    }
    return entry;
  }

  /**
   * Forget every edit.
   */
  clear(): void {
    this._undo = [];
    this._redo = [];
  }

  private _undo: IHistoryEntry[] = [];
  private _redo: IHistoryEntry[] = [];
}
