/**
 * What a pipeline canvas needs from the application, and the editor's
 * settings (schema/editor.json).
 */

import { Contents, KernelSpec } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';

import { OrchestAPI } from '../api';
import { EventsClient } from '../events';
import type { IOpenNotebooks } from '../notebooks/kernels';
import { SessionTracker } from '../sessions';

/**
 * The name of the pipeline editor's widget factory.
 */
export const PIPELINE_EDITOR_FACTORY = 'Pipeline Editor';

/**
 * Settings of the editor (schema/editor.json).
 */
export interface IEditorSettings {
  autoSaveBeforeRun: boolean;
  autoStartSession: boolean;
  /** Stop a pipeline's session when its last editor closes (JupyterLab's notebook `kernelShutdown`). */
  shutdownSessionOnClose: boolean;
  showMinimap: boolean;
  logPanelOpen: boolean;
}

export const DEFAULT_SETTINGS: IEditorSettings = {
  autoSaveBeforeRun: true,
  autoStartSession: true,
  shutdownSessionOnClose: false,
  showMinimap: true,
  logPanelOpen: false
};

/**
 * A notebook to show read-only in the main area.
 */
export interface IStaticNotebook {
  /** The notebook (nbformat JSON). */
  content: unknown;
  /** The tab's title. */
  title: string;
  /** Identifies the view: showing the same notebook again activates it. */
  id: string;
}

/**
 * What an editor needs from the application.
 */
export interface IEditorServices {
  api: OrchestAPI;
  events: EventsClient;
  sessions: SessionTracker;
  commands: CommandRegistry;
  contents: Contents.IManager;
  kernelspecs: KernelSpec.IManager | null;
  trans: TranslationBundle;
  settings: () => IEditorSettings;
  /** Let the user pick a file (relative to the server's root), or null. */
  pickFile: ((title: string, defaultPath: string) => Promise<string | null>) | null;
  /** The open notebooks (their kernels, saving, reverting), or null without a document manager. */
  notebooks: IOpenNotebooks | null;
  /** Show a notebook read-only, or null when the application cannot. */
  showNotebook: ((notebook: IStaticNotebook) => void) | null;
}
