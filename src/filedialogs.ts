/**
 * JupyterLab's file dialogs as the editor and the environments panel ask
 * them: a step's file, a project folder. Each answers a path relative to the
 * server's root, or null when the user cancels.
 */

import { IDocumentManager } from '@jupyterlab/docmanager';
import { FileDialog } from '@jupyterlab/filebrowser';
import { ITranslator } from '@jupyterlab/translation';

import { isStepFile } from './editor/helpers';

/**
 * Ask for a notebook or script (folders are shown to walk through).
 */
export async function pickStepFile(
  manager: IDocumentManager,
  translator: ITranslator,
  title: string,
  defaultPath: string
): Promise<string | null> {
  const result = await FileDialog.getOpenFiles({
    manager,
    title,
    defaultPath,
    translator,
    filter: model => (model.type === 'directory' || isStepFile(model.path) ? {} : null)
  });
  const file = result.button.accept ? result.value?.find(m => m.type !== 'directory') : undefined;
  return file ? file.path : null;
}

/**
 * Ask for a folder.
 */
export async function pickFolder(manager: IDocumentManager, translator: ITranslator, title: string): Promise<string | null> {
  const result = await FileDialog.getExistingDirectory({ manager, title, translator });
  const folder = result.button.accept ? result.value?.[0] : undefined;
  return folder ? folder.path : null;
}
