/**
 * The "Add step" dialog: a title, a file (typed, or chosen with JupyterLab's
 * file dialog) and an environment (one of the project's).
 */

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { IEnvironment } from '../api';
import { PipelineController } from '../editor/controller';

/** What the dialog asks. */
export interface IAddStepValues {
  title: string;
  filePath: string;
  /** An environment's uuid, or '' for the default one. */
  environment: string;
  create: boolean;
  /** The file name was typed or chosen (not suggested from the title). */
  fileChosen: boolean;
}

/** The action of the dialog's *Choose File…* button. */
const CHOOSE_FILE = 'orchest-choose-file';

/**
 * A file name suggested by a step's title: `Clean data` → `clean-data.ipynb`.
 */
export function suggestedFileName(title: string): string {
  const base = title
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return base ? `${base}.ipynb` : '';
}

/**
 * The body of the dialog.
 */
class AddStepBody extends Widget implements Dialog.IBodyWidget<IAddStepValues> {
  constructor(trans: TranslationBundle, values: IAddStepValues, environments: IEnvironment[] | null) {
    super();
    this.addClass('jp-OrchestAddStep');
    const field = <T extends HTMLElement>(label: string, input: T): T => {
      const wrapper = document.createElement('label');
      // The markup of the shared field component (src/components/field.tsx).
      wrapper.className = 'jp-OrchestField';
      const span = document.createElement('span');
      span.className = 'jp-OrchestField-label';
      span.textContent = label;
      wrapper.append(span, input);
      this.node.appendChild(wrapper);
      return input;
    };
    const input = (name: string, value: string, placeholder: string): HTMLInputElement => {
      const element = document.createElement('input');
      element.className = 'jp-mod-styled';
      element.name = name;
      element.value = value;
      element.placeholder = placeholder;
      return element;
    };
    this._title = field(trans.__('Title'), input('title', values.title, trans.__('e.g. Clean data')));
    this._file = field(
      trans.__('File (notebook or script, relative to the pipeline; “Choose File…” browses the project)'),
      input('file_path', values.filePath, 'clean-data.ipynb')
    );
    this._fileChosen = values.fileChosen;
    // Suggest a file name from the title until one is typed or chosen.
    this._title.addEventListener('input', () => {
      if (!this._fileChosen) {
        this._file.value = suggestedFileName(this._title.value);
      }
    });
    this._file.addEventListener('input', () => {
      this._fileChosen = true;
    });
    if (environments?.length) {
      const select = document.createElement('select');
      select.className = 'jp-mod-styled';
      select.name = 'environment';
      for (const env of environments) {
        const option = document.createElement('option');
        option.value = env.uuid;
        option.textContent = env.name;
        select.appendChild(option);
      }
      select.value = values.environment;
      this._environment = field(trans.__('Environment'), select);
    }
    const check = document.createElement('label');
    check.className = 'jp-OrchestField jp-mod-check';
    this._create = document.createElement('input');
    this._create.type = 'checkbox';
    this._create.name = 'create';
    this._create.checked = values.create;
    const text = document.createElement('span');
    text.textContent = trans.__('Create the file if it does not exist (.ipynb, .py, .sh, .R, .jl, .js)');
    check.append(this._create, text);
    this.node.appendChild(check);
  }

  getValue(): IAddStepValues {
    return {
      title: this._title.value.trim(),
      filePath: this._file.value.trim(),
      environment: this._environment?.value ?? '',
      create: this._create.checked,
      fileChosen: this._fileChosen
    };
  }

  private _title: HTMLInputElement;
  private _file: HTMLInputElement;
  private _environment: HTMLSelectElement | null = null;
  private _create: HTMLInputElement;
  private _fileChosen: boolean;
}

/**
 * Ask for a new step and add it. *Choose File…* closes the dialog for
 * JupyterLab's file dialog (two modal dialogs would fight over the focus),
 * then shows it again with the file chosen.
 */
export async function addStepWithDialog(c: PipelineController, trans: TranslationBundle): Promise<void> {
  await c.ensureEnvironment(); // the project's default environment, when it has none
  const model = c.model;
  if (!model || c.readOnly) {
    return;
  }
  const dir = PathExt.dirname(c.path);
  let values: IAddStepValues = {
    title: '',
    filePath: '',
    environment: model.defaultEnvironment(),
    create: true,
    fileChosen: false
  };
  for (;;) {
    const buttons = [
      ...(c.services.pickFile
        ? [Dialog.createButton({ label: trans.__('Choose File…'), actions: [CHOOSE_FILE], accept: false })]
        : []),
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Add') })
    ];
    const body = new AddStepBody(trans, values, c.environments);
    const result = await showDialog({
      title: trans.__('Add a step'),
      body,
      buttons,
      focusNodeSelector: values.fileChosen ? 'input[name="file_path"]' : 'input[name="title"]'
    });
    if (result.button.actions.includes(CHOOSE_FILE)) {
      // Not an accept button (the dialog gives no value): the body's inputs still hold it.
      values = body.getValue();
      const start = values.filePath ? PathExt.dirname(c.resolve(values.filePath)) : dir;
      const path = await c.services.pickFile!(trans.__('Choose the file of the new step'), start);
      if (path) {
        values = { ...values, filePath: PathExt.relative(dir || '.', path), fileChosen: true };
        if (!values.title) {
          values.title = PathExt.basename(path, PathExt.extname(path));
        }
      }
      continue;
    }
    if (!result.button.accept || !result.value) {
      return;
    }
    values = result.value;
    break;
  }
  const { title, filePath, environment, create } = values;
  try {
    await c.edits.addStep(
      {
        title: title || PathExt.basename(filePath, PathExt.extname(filePath)),
        filePath,
        ...(environment ? { environment } : {})
      },
      create
    );
  } catch (error) {
    c.say(trans.__('The step file could not be created: %1', (error as Error).message), 'error');
  }
}
