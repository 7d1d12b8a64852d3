/**
 * The commands that edit the current pipeline and change its view: steps,
 * connections, clipboard, undo / redo, layout, panels.
 */

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  addIcon,
  copyIcon,
  cutIcon,
  deleteIcon,
  duplicateIcon,
  launchIcon,
  listIcon,
  pasteIcon,
  redoIcon,
  refreshIcon,
  treeViewIcon,
  undoIcon
} from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { pipelineIcon } from '../icons';
import { currentController, currentEditor, ICommandContext } from './context';
import { CommandIDs } from './ids';

/**
 * The body of the "Add step" dialog.
 */
class AddStepBody extends Widget implements Dialog.IBodyWidget<{ title: string; filePath: string; create: boolean }> {
  constructor(trans: TranslationBundle) {
    super();
    this.addClass('jp-OrchestAddStep');
    const field = (label: string, name: string, placeholder: string): HTMLInputElement => {
      const wrapper = document.createElement('label');
      // The markup of the shared field component (src/components/field.tsx).
      wrapper.className = 'jp-OrchestField';
      const span = document.createElement('span');
      span.className = 'jp-OrchestField-label';
      span.textContent = label;
      const input = document.createElement('input');
      input.className = 'jp-mod-styled';
      input.name = name;
      input.placeholder = placeholder;
      wrapper.append(span, input);
      this.node.appendChild(wrapper);
      return input;
    };
    this._title = field(trans.__('Title'), 'title', trans.__('e.g. Clean data'));
    this._file = field(
      trans.__('File (notebook or script, relative to the pipeline)'),
      'file_path',
      'clean-data.ipynb'
    );
    // Suggest a file name from the title until the file name is typed.
    this._title.addEventListener('input', () => {
      if (!this._fileTyped) {
        const base = this._title.value
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '');
        this._file.value = base ? `${base}.ipynb` : '';
      }
    });
    this._file.addEventListener('input', () => {
      this._fileTyped = true;
    });
    const check = document.createElement('label');
    check.className = 'jp-OrchestField jp-mod-check';
    this._create = document.createElement('input');
    this._create.type = 'checkbox';
    this._create.name = 'create';
    this._create.checked = true;
    const text = document.createElement('span');
    text.textContent = trans.__('Create the file if it does not exist (.ipynb, .py, .sh, .R, .jl, .js)');
    check.append(this._create, text);
    this.node.appendChild(check);
  }

  getValue(): { title: string; filePath: string; create: boolean } {
    return { title: this._title.value.trim(), filePath: this._file.value.trim(), create: this._create.checked };
  }

  protected onAfterAttach(): void {
    this._title.focus();
  }

  private _title: HTMLInputElement;
  private _file: HTMLInputElement;
  private _create: HTMLInputElement;
  private _fileTyped = false;
}

/**
 * Register the editing and view commands.
 */
export function addEditingCommands(context: ICommandContext): void {
  const { commands, trans } = context;
  const controller = () => currentController(context);
  const editor = () => currentEditor(context);
  const editable = (): boolean => !!controller() && !controller()!.readOnly;
  const hasSelection = (): boolean => !!controller()?.selection.size;
  // Run an edit, then give the focus back to the canvas (a removed node may
  // have had it), where the editor's shortcuts apply.
  const edit = (action: (c: NonNullable<ReturnType<typeof controller>>) => void) => () => {
    const c = controller();
    if (c) {
      action(c);
      requestAnimationFrame(() => context.pipelines.currentWidget?.content.focusCanvas());
    }
  };

  commands.addCommand(CommandIDs.addStep, {
    label: trans.__('Add Step…'),
    caption: trans.__('Add a step to the pipeline'),
    icon: addIcon,
    isEnabled: editable,
    execute: async () => {
      const c = controller();
      if (!c) {
        return;
      }
      const result = await showDialog({
        title: trans.__('Add a step'),
        body: new AddStepBody(trans),
        buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Add') })],
        focusNodeSelector: 'input[name="title"]'
      });
      if (!result.button.accept || !result.value) {
        return;
      }
      const { title, filePath, create } = result.value;
      try {
        await c.edits.addStep({ title: title || PathExt.basename(filePath, PathExt.extname(filePath)), filePath }, create);
      } catch (error) {
        c.say(trans.__('The step file could not be created: %1', (error as Error).message), 'error');
      }
    }
  });

  commands.addCommand(CommandIDs.deleteSelection, {
    label: trans.__('Delete Selection'),
    caption: trans.__('Delete the selected steps or connections'),
    icon: deleteIcon,
    isEnabled: () => editable() && (hasSelection() || !!controller()?.selectedEdges.size),
    execute: edit(c => c.edits.deleteSelection())
  });

  commands.addCommand(CommandIDs.duplicate, {
    label: trans.__('Duplicate Steps'),
    icon: duplicateIcon,
    isEnabled: () => editable() && hasSelection(),
    execute: edit(c => c.edits.duplicateSelection())
  });

  commands.addCommand(CommandIDs.copy, {
    label: trans.__('Copy Steps'),
    icon: copyIcon,
    isEnabled: hasSelection,
    execute: () => void controller()?.edits.copySelection()
  });

  commands.addCommand(CommandIDs.cut, {
    label: trans.__('Cut Steps'),
    icon: cutIcon,
    isEnabled: () => editable() && hasSelection(),
    execute: edit(c => c.edits.cutSelection())
  });

  commands.addCommand(CommandIDs.paste, {
    label: trans.__('Paste Steps'),
    icon: pasteIcon,
    isEnabled: () => !!controller()?.edits.canPaste,
    execute: edit(c => c.edits.paste())
  });

  commands.addCommand(CommandIDs.selectAll, {
    label: trans.__('Select All Steps'),
    isEnabled: () => !!controller(),
    execute: () => controller()?.selectAll()
  });

  commands.addCommand(CommandIDs.undo, {
    label: () => {
      const label = controller()?.model?.undoLabel;
      return label ? trans.__('Undo %1', label) : trans.__('Undo');
    },
    icon: undoIcon,
    isEnabled: () => editable() && !!controller()?.model?.canUndo,
    execute: edit(c => c.edits.undo())
  });

  commands.addCommand(CommandIDs.redo, {
    label: () => {
      const label = controller()?.model?.redoLabel;
      return label ? trans.__('Redo %1', label) : trans.__('Redo');
    },
    icon: redoIcon,
    isEnabled: () => editable() && !!controller()?.model?.canRedo,
    execute: edit(c => c.edits.redo())
  });

  commands.addCommand(CommandIDs.autoLayout, {
    label: trans.__('Auto-Layout'),
    caption: trans.__('Arrange the steps from left to right as data flows'),
    icon: treeViewIcon,
    isEnabled: () => !!controller()?.model,
    execute: () => controller()?.layout()
  });

  commands.addCommand(CommandIDs.fitView, {
    label: trans.__('Fit Pipeline in View'),
    icon: refreshIcon,
    isEnabled: () => !!controller()?.model,
    execute: () => controller()?.fitView()
  });

  commands.addCommand(CommandIDs.toggleLog, {
    label: trans.__('Show Step Log'),
    caption: trans.__('Show or hide the log of the selected step'),
    icon: listIcon,
    isToggled: () => !!controller()?.logOpen,
    isEnabled: () => !!controller(),
    execute: () => controller()?.toggleLog()
  });

  commands.addCommand(CommandIDs.toggleProperties, {
    label: trans.__('Show Properties'),
    caption: trans.__('Show or hide the properties panel'),
    icon: pipelineIcon,
    isToggled: () => !!controller()?.propertiesOpen,
    isEnabled: () => !!controller(),
    execute: () => controller()?.toggleProperties()
  });

  commands.addCommand(CommandIDs.openStepFile, {
    label: trans.__('Open Step File'),
    icon: launchIcon,
    isEnabled: () => controller()?.selection.size === 1,
    execute: () => {
      const c = controller();
      return c && c.selection.size === 1 ? c.openStepFile([...c.selection][0]) : undefined;
    }
  });

  commands.addCommand(CommandIDs.validate, {
    label: trans.__('Validate Pipeline'),
    isEnabled: () => !!editor()?.model,
    execute: () => editor()?.validate()
  });
}
