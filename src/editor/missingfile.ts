/**
 * A step whose file is missing: *Open* offers to create it (apputils'
 * dialogs live here, apart from the edits, which jest loads without them).
 */

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';

import { fileExists, IEditedCanvas, StepEdits } from './edits';
import { errorMessage, STEP_EXTENSIONS } from './helpers';

/**
 * Whether a step's file exists; when it is missing, offer to create it (a
 * notebook on the step's environment's kernel, or an empty script): true
 * once it exists.
 */
export async function ensureStepFile(c: IEditedCanvas & { edits: StepEdits }, uuid: string): Promise<boolean> {
  const step = c.model?.step(uuid);
  if (!step?.filePath) {
    return false;
  }
  const path = c.resolve(step.filePath);
  if (await fileExists(c.services.contents, path)) {
    return true;
  }
  const trans = c.services.trans;
  const kind = PathExt.extname(path).toLowerCase();
  if (c.readOnly || !STEP_EXTENSIONS.includes(kind)) {
    c.say(trans.__('%1, the file of “%2”, does not exist.', path, step.title), 'warning');
    return false;
  }
  const answer = await showDialog({
    title: trans.__('Create %1?', PathExt.basename(path)),
    body: trans.__(
      '%1, the file of “%2”, does not exist. Create it (%3) and open it?',
      path,
      step.title,
      kind === '.ipynb' ? trans.__('a notebook on the step’s environment’s kernel') : trans.__('an empty script')
    ),
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Create') })]
  });
  if (!answer.button.accept) {
    return false;
  }
  try {
    await c.edits.createStepFile(step.filePath, step.environment);
    return true;
  } catch (error) {
    c.say(trans.__('%1 could not be created: %2', path, errorMessage(error)), 'error');
    return false;
  }
}
