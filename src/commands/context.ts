/**
 * What the commands act on: the application's services and the current
 * pipeline widget.
 */

import { Contents } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';

import { OrchestAPI } from '../api';
import { EventsClient } from '../events';
import { PipelineController } from '../editor/controller';
import { PipelineEditorController } from '../editor/document';
import { RunViewController } from '../editor/runview';
import { SessionTracker } from '../sessions';
import { IPipelineTracker } from '../tokens';

/**
 * What the commands act on.
 */
export interface ICommandContext {
  commands: CommandRegistry;
  trans: TranslationBundle;
  contents: Contents.IManager;
  api: OrchestAPI;
  events: EventsClient;
  sessions: SessionTracker;
  /** The pipeline widgets (editors and run views); the current one is acted on. */
  pipelines: IPipelineTracker;
  currentDirectory: () => string;
  /** The file browser's selected items (paths), for its context menu. */
  selectedFiles: () => { path: string; isDir: boolean }[];
  /** The current document in the main area (`fromTab`: the one whose tab was right-clicked), or null. */
  currentDocument: (fromTab: boolean) => IOpenDocument | null;
  /** Whether the open context menu was opened on an element with this class (or inside one). */
  contextMenuOn: (className: string) => boolean;
}

/**
 * A document open in the main area: its path (relative to the server's root).
 */
export interface IOpenDocument {
  path: string;
  readonly dirty: boolean;
  save(): Promise<void>;
}

/**
 * The controller of the current pipeline widget, or null.
 */
export function currentController(context: ICommandContext): PipelineController | null {
  return context.pipelines.currentWidget?.controller ?? null;
}

/**
 * The controller of the current pipeline editor (not a run view), or null.
 */
export function currentEditor(context: ICommandContext): PipelineEditorController | null {
  const controller = currentController(context);
  return controller instanceof PipelineEditorController ? controller : null;
}

/**
 * The controller of the current run view, or null.
 */
export function currentRunView(context: ICommandContext): RunViewController | null {
  const controller = currentController(context);
  return controller instanceof RunViewController ? controller : null;
}

/**
 * For the canvas pane's context menu items (args `{onPane: true}`): hidden
 * when the menu was opened on a step. Lumino matches a selector on every
 * element from the target up, and xyflow's nodes are inside its pane.
 */
export function paneItemVisible(context: ICommandContext, args: { onPane?: unknown }): boolean {
  return !(args.onPane === true && context.contextMenuOn('react-flow__node'));
}
