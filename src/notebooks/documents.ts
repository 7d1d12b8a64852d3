/**
 * The page's open notebooks as the document manager has them (the
 * `IOpenNotebooks` of kernels.ts): a notebook's context, through which its
 * kernel is switched and it is saved or reverted from disk.
 */

import { IDocumentManager } from '@jupyterlab/docmanager';
import { TranslationBundle } from '@jupyterlab/translation';

import type { IOpenNotebook, IOpenNotebooks } from './kernels';
import { offerKernelSwitch } from './switch';

export function openNotebooks(docManager: IDocumentManager, trans: TranslationBundle): IOpenNotebooks {
  const notebooks: IOpenNotebooks = {
    offerKernel: (path, kernelspec) => offerKernelSwitch(path, kernelspec, notebooks, trans),
    find(path: string): IOpenNotebook | null {
      const widget = docManager.findWidget(path);
      const context = widget ? docManager.contextForWidget(widget) : undefined;
      if (!context || !context.path.toLowerCase().endsWith('.ipynb')) {
        return null;
      }
      return {
        sessionContext: context.sessionContext,
        get model() {
          return context.isReady ? context.model : null;
        },
        save: () => context.save(),
        revert: () => context.revert()
      };
    }
  };
  return notebooks;
}
