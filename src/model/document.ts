/**
 * Reading a pipeline document: its text, name, step views, dependency graph
 * and the environment of new steps. `PipelineModel` adds the edits.
 */

import { Incoming } from './dag';
import { checkPipeline } from './format';
import { isObject, JSONObject, stringify } from './json';
import { incomingOf, IProjectEnvironment, IStepView, stepView } from './steps';
import { NIL_UUID } from './uuid';

/**
 * A pipeline document and what the editor reads of it.
 */
export class PipelineDocument {
  /**
   * @throws PipelineFormatError when the document's steps cannot be edited.
   */
  constructor(document: JSONObject, options: { ensureAscii?: boolean; projectEnvironments?: IProjectEnvironment[] }) {
    checkPipeline(document);
    this._doc = document;
    this.ensureAscii = options.ensureAscii ?? true;
    this.projectEnvironments = options.projectEnvironments ?? [];
  }

  /**
   * Escape non-ASCII text when saving (Python's `ensure_ascii`): true unless
   * the text the model was read from had non-ASCII characters.
   */
  ensureAscii: boolean;

  /**
   * Environments of the project, when known (see the options).
   */
  projectEnvironments: readonly IProjectEnvironment[];

  /**
   * One of the project's environments, or undefined when it is not known.
   */
  environmentOf(uuid: string): IProjectEnvironment | undefined {
    return this.projectEnvironments.find(e => e.uuid === uuid);
  }

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
      this._views = Object.entries(this._stepsObject()).map(([key, raw]) => stepView(key, raw as JSONObject));
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
    return best ?? this.projectEnvironments[0]?.uuid ?? NIL_UUID;
  }

  /**
   * Make another document current (the views are read again).
   */
  protected _replace(document: JSONObject): void {
    this._doc = document;
    this._views = null;
  }

  protected _stepsObject(): JSONObject {
    return isObject(this._doc.steps) ? this._doc.steps : {};
  }

  private _doc: JSONObject;
  private _views: IStepView[] | null = null;
}
