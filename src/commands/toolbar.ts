/**
 * The toolbars of the pipeline editor and of a run's read-only view, and the
 * button of a notebook's toolbar that runs it as a step.
 */

import { DocumentRegistry, DocumentWidget } from '@jupyterlab/docregistry';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandToolbarButton, Toolbar, ToolbarButton } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';

import { PipelineController } from '../editor/controller';
import { pipelineIcon } from '../icons';
import { PipelineEditorWidget, RunViewWidget } from '../editor/widget';
import { SessionStatusItem } from '../editor/session';
import { CommandIDs } from './ids';

function commandButton(commands: CommandRegistry, id: string, label = ''): CommandToolbarButton {
  return new CommandToolbarButton({ commands, id, label });
}

function propertiesButton(controller: PipelineController, trans: TranslationBundle): ToolbarButton {
  return new ToolbarButton({
    label: trans.__('Properties'),
    tooltip: trans.__('Show or hide the properties panel'),
    onClick: () => controller.toggleProperties()
  });
}

/**
 * Fill the toolbar of a pipeline editor.
 */
export function populateToolbar(
  widget: PipelineEditorWidget,
  commands: CommandRegistry,
  trans: TranslationBundle
): void {
  const button = (id: string, label?: string) => commandButton(commands, id, label);
  const toolbar = widget.toolbar;
  toolbar.addItem('orchest-add-step', button(CommandIDs.addStep, trans.__('Add step')));
  toolbar.addItem('orchest-run-all', button(CommandIDs.runAll, trans.__('Run all')));
  toolbar.addItem('orchest-run-changed', button(CommandIDs.runChanged, trans.__('Run changed')));
  toolbar.addItem('orchest-run-selected', button(CommandIDs.runSelected, trans.__('Run selected')));
  toolbar.addItem('orchest-run-incoming', button(CommandIDs.runIncoming, trans.__('Run incoming')));
  toolbar.addItem('orchest-cancel-run', button(CommandIDs.cancelRun, trans.__('Cancel')));
  toolbar.addItem('orchest-spacer', Toolbar.createSpacerItem());
  toolbar.addItem('orchest-session', new SessionStatusItem(widget.controller, trans));
  toolbar.addItem('orchest-start-session', button(CommandIDs.startSession, trans.__('Start')));
  toolbar.addItem('orchest-stop-session', button(CommandIDs.stopSession, trans.__('Stop')));
  toolbar.addItem('orchest-undo', button(CommandIDs.undo));
  toolbar.addItem('orchest-redo', button(CommandIDs.redo));
  toolbar.addItem('orchest-delete', button(CommandIDs.deleteSelection));
  toolbar.addItem('orchest-duplicate', button(CommandIDs.duplicate));
  toolbar.addItem('orchest-auto-layout', button(CommandIDs.autoLayout));
  toolbar.addItem('orchest-log', button(CommandIDs.toggleLog, trans.__('Log')));
  toolbar.addItem('orchest-properties', propertiesButton(widget.controller, trans));
}

/**
 * Fill the toolbar of a run's read-only view.
 */
export function populateRunViewToolbar(
  widget: RunViewWidget,
  commands: CommandRegistry,
  trans: TranslationBundle
): void {
  const toolbar = widget.toolbar;
  toolbar.addItem(
    'orchest-copy-run-pipeline',
    commandButton(commands, CommandIDs.copyRunPipeline, trans.__('Create editable copy'))
  );
  toolbar.addItem('orchest-spacer', Toolbar.createSpacerItem());
  toolbar.addItem('orchest-auto-layout', commandButton(commands, CommandIDs.autoLayout));
  toolbar.addItem('orchest-log', commandButton(commands, CommandIDs.toggleLog, trans.__('Log')));
  toolbar.addItem('orchest-properties', propertiesButton(widget.controller, trans));
}

/**
 * Give every notebook's toolbar a button that runs it as a step of its
 * pipeline (with its incoming steps).
 */
export function addNotebookRunButton(
  docRegistry: DocumentRegistry,
  commands: CommandRegistry,
  trans: TranslationBundle
): void {
  docRegistry.addWidgetExtension('Notebook', {
    createNew: (panel: DocumentWidget) => {
      const button = new ToolbarButton({
        icon: pipelineIcon,
        tooltip: trans.__('Run this notebook as a step of its pipeline (with its incoming steps)'),
        onClick: () => void commands.execute(CommandIDs.runStepFileWithIncoming, { path: panel.context.path })
      });
      panel.toolbar.insertAfter('cellType', 'orchestRunStep', button);
      return button;
    }
  });
}
