/**
 * Offer to switch a step's open notebook to its new environment's kernel.
 */

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import { IKernelspecRef, IOpenNotebooks, kernelOf, switchKernel } from './kernels';

/**
 * After a step's environment changed: offer to switch its open notebook to
 * the new environment's kernel (nothing when it is not open or already on it).
 */
export async function offerKernelSwitch(
  path: string,
  kernelspec: IKernelspecRef,
  notebooks: IOpenNotebooks | null,
  trans: TranslationBundle
): Promise<boolean> {
  const open = notebooks?.find(path) ?? null;
  if (!open || kernelOf(open) === kernelspec.name) {
    return false;
  }
  const answer = await showDialog({
    title: trans.__('Switch the kernel?'),
    body: trans.__('The step now runs in “%1”. Switch its open notebook %2 to that kernel?', kernelspec.display_name, path),
    buttons: [Dialog.cancelButton({ label: trans.__('Keep') }), Dialog.okButton({ label: trans.__('Switch') })]
  });
  if (!answer.button.accept) {
    return false;
  }
  await switchKernel(open, kernelspec);
  return true;
}
