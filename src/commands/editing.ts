/**
 * The commands that edit the current pipeline and change its view: steps,
 * connections, clipboard, undo / redo, layout, panels.
 */

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

import { pipelineIcon } from '../icons';
import { addStepWithDialog } from './addstep';
import { currentController, currentEditor, ICommandContext, paneItemVisible } from './context';
import { CommandIDs } from './ids';

/**
 * Register the editing and view commands.
 */
export function addEditingCommands(context: ICommandContext): void {
  const { commands, trans } = context;
  const controller = () => currentController(context);
  const editor = () => currentEditor(context);
  const editable = (): boolean => !!controller() && !controller()!.readOnly;
  const hasSelection = (): boolean => !!controller()?.selection.size;
  const paneItem = (args: { onPane?: unknown }): boolean => paneItemVisible(context, args);
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
    isVisible: paneItem,
    isEnabled: editable,
    execute: async () => {
      const c = controller();
      if (c) {
        await addStepWithDialog(c, trans);
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
    isVisible: paneItem,
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
    isVisible: paneItem,
    isEnabled: () => !!controller()?.model,
    execute: () => controller()?.layout()
  });

  commands.addCommand(CommandIDs.fitView, {
    label: trans.__('Fit Pipeline in View'),
    icon: refreshIcon,
    isVisible: paneItem,
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
