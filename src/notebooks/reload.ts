/**
 * Interactive runs and open notebooks: a run executes a step's notebook in
 * place and writes it back with its outputs. When the step ends, its open
 * notebook is reloaded from disk through its context (so saving it later
 * raises no "File Changed" dialog); one with unsaved changes is never
 * overwritten without the user's choice.
 */

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import type { IOpenNotebooks } from './kernels';
import { finishedInPlace, IStepFileState, StepFileRuns } from './stepruns';

/** Reload the open notebook a finished step executed; ask first when it has unsaved changes. */
export async function reloadExecutedNotebook(
  step: IStepFileState,
  notebooks: IOpenNotebooks,
  trans: TranslationBundle
): Promise<'reverted' | 'kept' | 'not open'> {
  const open = notebooks.find(step.path);
  if (!open?.model) {
    return 'not open';
  }
  if (open.model.dirty) {
    const answer = await showDialog({
      title: trans.__('The run wrote %1', step.path),
      body: trans.__(
        'The step “%1” ran this notebook and saved its outputs, but the notebook has unsaved changes here. Load the notebook as the run left it (your unsaved changes are lost), or keep your changes (saving will then ask before overwriting the run’s outputs)?',
        step.title
      ),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Keep My Changes') }),
        Dialog.warnButton({ label: trans.__('Load the Run’s Notebook') })
      ]
    });
    if (!answer.button.accept) {
      return 'kept';
    }
  }
  await open.revert();
  return 'reverted';
}

/** Reload open notebooks as interactive runs finish their steps. */
export function reloadNotebooksAfterRuns(
  runs: StepFileRuns,
  notebooks: IOpenNotebooks,
  trans: TranslationBundle
): void {
  runs.stepChanged.connect((_, step) => {
    if (finishedInPlace(step)) {
      reloadExecutedNotebook(step, notebooks, trans).catch(reason =>
        console.warn(`orchest-jlab: ${step.path} could not be reloaded`, reason)
      );
    }
  });
}
