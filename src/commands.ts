/**
 * Every command of orchest-jlab, declared in one place. Their keyboard
 * shortcuts are in the plugin's settings schema (schema/plugin.json).
 */

import { Dialog, InputDialog, Notification, showDialog, WidgetTracker } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  addIcon,
  copyIcon,
  cutIcon,
  deleteIcon,
  duplicateIcon,
  fastForwardIcon,
  pasteIcon,
  redoIcon,
  runIcon,
  stopIcon,
  undoIcon,
  CommandToolbarButton,
  Toolbar,
  ToolbarButton,
  refreshIcon,
  listIcon,
  tableRowsIcon,
  launchIcon,
  treeViewIcon
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { OrchestAPI } from './api';
import { errorMessage, isStepFile } from './editor/controller';
import { PIPELINE_EDITOR_FACTORY, PipelineEditorWidget } from './editor/widget';
import { stepsOfFile } from './stepfiles';
import { pipelineIcon } from './icons';
import { uuid4 } from './model';

/**
 * The ids of the commands.
 */
export namespace CommandIDs {
  export const addStep = 'orchest-jlab:add-step';
  export const deleteSelection = 'orchest-jlab:delete-selection';
  export const duplicate = 'orchest-jlab:duplicate';
  export const copy = 'orchest-jlab:copy';
  export const cut = 'orchest-jlab:cut';
  export const paste = 'orchest-jlab:paste';
  export const selectAll = 'orchest-jlab:select-all';
  export const undo = 'orchest-jlab:undo';
  export const redo = 'orchest-jlab:redo';
  export const autoLayout = 'orchest-jlab:auto-layout';
  export const fitView = 'orchest-jlab:fit-view';
  export const runAll = 'orchest-jlab:run-all';
  export const runSelected = 'orchest-jlab:run-selected';
  export const runIncoming = 'orchest-jlab:run-incoming';
  export const cancelRun = 'orchest-jlab:cancel-run';
  export const toggleLog = 'orchest-jlab:toggle-log';
  export const toggleProperties = 'orchest-jlab:toggle-properties';
  export const openStepFile = 'orchest-jlab:open-step-file';
  export const validate = 'orchest-jlab:validate';
  export const newPipeline = 'orchest-jlab:new-pipeline';
  export const runStepFile = 'orchest-jlab:run-step-file';
  export const runStepFileWithIncoming = 'orchest-jlab:run-step-file-with-incoming';
  export const addFileToPipeline = 'orchest-jlab:add-file-to-pipeline';
  export const saveSetupScript = 'orchest-jlab:save-setup-script';
}

/**
 * A new, empty pipeline document (Orchest's defaults).
 */
export function newPipelineText(name: string): string {
  const document = {
    name,
    parameters: {},
    services: {},
    settings: { auto_eviction: false, data_passing_memory_size: '1GB', max_steps_parallelism: 0 },
    steps: {},
    uuid: uuid4(),
    version: '1.0.0'
  };
  return JSON.stringify(document, null, 4) + '\n';
}

/**
 * The body of the "Add step" dialog.
 */
class AddStepBody extends Widget implements Dialog.IBodyWidget<{ title: string; filePath: string; create: boolean }> {
  constructor(trans: TranslationBundle) {
    super();
    this.addClass('jp-OrchestAddStep');
    const field = (label: string, name: string, placeholder: string): HTMLInputElement => {
      const wrapper = document.createElement('label');
      wrapper.className = 'jp-OrchestAddStep-field';
      const span = document.createElement('span');
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
    check.className = 'jp-OrchestAddStep-check';
    this._create = document.createElement('input');
    this._create.type = 'checkbox';
    this._create.name = 'create';
    this._create.checked = true;
    const text = document.createElement('span');
    text.textContent = trans.__('Create the file if it does not exist (.ipynb, .py, .sh, .R)');
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
 * Register the commands.
 */
export function addCommands(options: {
  commands: CommandRegistry;
  tracker: WidgetTracker<PipelineEditorWidget>;
  trans: TranslationBundle;
  contents: Contents.IManager;
  api: OrchestAPI;
  currentDirectory: () => string;
  /** The file browser's selected items (paths), for its context menu. */
  selectedFiles: () => { path: string; isDir: boolean }[];
}): void {
  const { commands, tracker, trans } = options;
  const current = (): PipelineEditorWidget | null => tracker.currentWidget;
  const controller = () => current()?.controller ?? null;
  const editable = (): boolean => !!controller() && !controller()!.readOnly;
  const hasSelection = (): boolean => !!controller()?.selection.size;
  // Run an edit, then give the focus back to the canvas (a removed node may
  // have had it), where the editor's shortcuts apply.
  const edit = (action: (c: NonNullable<ReturnType<typeof controller>>) => void) => () => {
    const c = controller();
    if (c) {
      action(c);
      requestAnimationFrame(() => current()?.content.focusCanvas());
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
        await c.addStep({ title: title || PathExt.basename(filePath, PathExt.extname(filePath)), filePath }, create);
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
    execute: edit(c => c.deleteSelection())
  });

  commands.addCommand(CommandIDs.duplicate, {
    label: trans.__('Duplicate Steps'),
    icon: duplicateIcon,
    isEnabled: () => editable() && hasSelection(),
    execute: edit(c => c.duplicateSelection())
  });

  commands.addCommand(CommandIDs.copy, {
    label: trans.__('Copy Steps'),
    icon: copyIcon,
    isEnabled: hasSelection,
    execute: () => void controller()?.copySelection()
  });

  commands.addCommand(CommandIDs.cut, {
    label: trans.__('Cut Steps'),
    icon: cutIcon,
    isEnabled: () => editable() && hasSelection(),
    execute: edit(c => c.cutSelection())
  });

  commands.addCommand(CommandIDs.paste, {
    label: trans.__('Paste Steps'),
    icon: pasteIcon,
    isEnabled: () => !!controller()?.canPaste,
    execute: edit(c => c.paste())
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
    execute: edit(c => c.undo())
  });

  commands.addCommand(CommandIDs.redo, {
    label: () => {
      const label = controller()?.model?.redoLabel;
      return label ? trans.__('Redo %1', label) : trans.__('Redo');
    },
    icon: redoIcon,
    isEnabled: () => editable() && !!controller()?.model?.canRedo,
    execute: edit(c => c.redo())
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

  commands.addCommand(CommandIDs.runAll, {
    label: trans.__('Run All Steps'),
    caption: trans.__('Run every step of the pipeline'),
    icon: fastForwardIcon,
    isEnabled: () => !!controller()?.model && !controller()!.isRunning && !controller()!.starting,
    execute: () => controller()?.run('full')
  });

  commands.addCommand(CommandIDs.runSelected, {
    label: trans.__('Run Selected Steps'),
    caption: trans.__('Run the selected steps (and the connections among them)'),
    icon: runIcon,
    isEnabled: () => hasSelection() && !controller()!.isRunning && !controller()!.starting,
    execute: () => controller()?.run('selection')
  });

  commands.addCommand(CommandIDs.runIncoming, {
    label: trans.__('Run Incoming Steps'),
    caption: trans.__('Run the steps that the selected steps depend on'),
    icon: tableRowsIcon,
    isEnabled: () => hasSelection() && !controller()!.isRunning && !controller()!.starting,
    execute: () => controller()?.run('incoming')
  });

  commands.addCommand(CommandIDs.cancelRun, {
    label: trans.__('Cancel Run'),
    caption: trans.__('Cancel the run in progress'),
    icon: stopIcon,
    isEnabled: () => !!controller()?.isRunning,
    execute: () => controller()?.cancelRun()
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
    isEnabled: () => !!controller()?.model,
    execute: () => controller()?.validate()
  });

  commands.addCommand(CommandIDs.newPipeline, {
    label: args =>
      args.isPalette || args.inSelectedFolder ? trans.__('New Pipeline') : trans.__('Pipeline'),
    caption: trans.__('Create a new Orchest pipeline'),
    icon: args => (args.isPalette ? undefined : pipelineIcon),
    execute: async args => {
      const folder = options.selectedFiles().find(f => f.isDir);
      const cwd = (args.cwd as string) ?? (args.inSelectedFolder && folder ? folder.path : options.currentDirectory());
      const model = await options.contents.newUntitled({ path: cwd, type: 'file', ext: '.orchest' });
      const name = PathExt.basename(model.path, '.orchest');
      await options.contents.save(model.path, {
        type: 'file',
        format: 'text',
        content: newPipelineText(name)
      });
      return commands.execute('docmanager:open', { path: model.path });
    }
  });

  // ---------------------------------------------------------- file browser

  const selectedStepFile = (args: { path?: unknown } = {}): string | null => {
    if (typeof args.path === 'string') {
      return isStepFile(args.path) ? args.path : null;
    }
    const files = options.selectedFiles();
    return files.length === 1 && !files[0].isDir && isStepFile(files[0].path) ? files[0].path : null;
  };

  const runFile = async (withIncoming: boolean, args: { path?: unknown }): Promise<void> => {
    const path = selectedStepFile(args);
    if (!path) {
      return;
    }
    try {
      const steps = await stepsOfFile(options.api, path);
      if (!steps.length) {
        Notification.warning(
          trans.__('%1 is not a step of any pipeline: add it to one first.', PathExt.basename(path)),
          { autoClose: 5000 }
        );
        return;
      }
      let chosen = steps[0];
      if (steps.length > 1) {
        const labels = steps.map(s => trans.__('“%1” in %2', s.title, s.pipeline));
        const answer = await InputDialog.getItem({
          title: trans.__('Run the step of which pipeline?'),
          items: labels,
          okLabel: trans.__('Run')
        });
        if (!answer.button.accept || answer.value === null) {
          return;
        }
        chosen = steps[labels.indexOf(answer.value)];
      }
      await options.api.startRun({
        pipeline: chosen.pipeline,
        run_type: 'selection',
        steps: withIncoming ? chosen.withIncoming : [chosen.step],
        interactive: true
      });
      // Watch it in the pipeline's editor.
      await commands.execute('docmanager:open', { path: chosen.pipeline, factory: PIPELINE_EDITOR_FACTORY });
    } catch (error) {
      Notification.error(trans.__('The step could not be run: %1', errorMessage(error)), { autoClose: 8000 });
    }
  };

  commands.addCommand(CommandIDs.runStepFile, {
    label: trans.__('Run Step'),
    caption: trans.__('Run this notebook or script as a step of its pipeline'),
    icon: runIcon,
    isVisible: args => selectedStepFile(args) !== null,
    execute: args => runFile(false, args)
  });

  commands.addCommand(CommandIDs.runStepFileWithIncoming, {
    label: trans.__('Run Step and Its Incoming Steps'),
    caption: trans.__('Run this step after the steps it depends on'),
    icon: fastForwardIcon,
    isVisible: args => selectedStepFile(args) !== null,
    execute: args => runFile(true, args)
  });

  commands.addCommand(CommandIDs.addFileToPipeline, {
    label: trans.__('Add to Pipeline…'),
    caption: trans.__('Add this notebook or script as a step of a pipeline'),
    icon: pipelineIcon,
    isVisible: args => selectedStepFile(args) !== null,
    execute: async args => {
      const path = selectedStepFile(args);
      if (!path) {
        return;
      }
      try {
        const pipelines = await options.api.listPipelines();
        if (!pipelines.length) {
          Notification.warning(trans.__('There is no pipeline yet: create one first.'), { autoClose: 5000 });
          return;
        }
        let pipeline = pipelines[0].path;
        if (pipelines.length > 1) {
          const answer = await InputDialog.getItem({
            title: trans.__('Add %1 to which pipeline?', PathExt.basename(path)),
            items: pipelines.map(p => p.path),
            okLabel: trans.__('Add')
          });
          if (!answer.button.accept || answer.value === null) {
            return;
          }
          pipeline = answer.value;
        }
        const widget = (await commands.execute('docmanager:open', {
          path: pipeline,
          factory: PIPELINE_EDITOR_FACTORY
        })) as PipelineEditorWidget;
        await widget.context.ready;
        // The model is read once the text is there.
        for (let i = 0; i < 50 && !widget.controller.model; i++) {
          await new Promise(resolve => setTimeout(resolve, 50));
        }
        await widget.controller.addStepsForFiles([path]);
      } catch (error) {
        Notification.error(errorMessage(error), { autoClose: 8000 });
      }
    }
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
  const button = (id: string, label?: string): CommandToolbarButton =>
    new CommandToolbarButton({ commands, id, label: label ?? '' });
  const toolbar = widget.toolbar;
  toolbar.addItem('orchest-add-step', button(CommandIDs.addStep, trans.__('Add step')));
  toolbar.addItem('orchest-run-all', button(CommandIDs.runAll, trans.__('Run all')));
  toolbar.addItem('orchest-run-selected', button(CommandIDs.runSelected, trans.__('Run selected')));
  toolbar.addItem('orchest-run-incoming', button(CommandIDs.runIncoming, trans.__('Run incoming')));
  toolbar.addItem('orchest-cancel-run', button(CommandIDs.cancelRun, trans.__('Cancel')));
  toolbar.addItem('orchest-spacer', Toolbar.createSpacerItem());
  toolbar.addItem('orchest-undo', button(CommandIDs.undo));
  toolbar.addItem('orchest-redo', button(CommandIDs.redo));
  toolbar.addItem('orchest-delete', button(CommandIDs.deleteSelection));
  toolbar.addItem('orchest-duplicate', button(CommandIDs.duplicate));
  toolbar.addItem('orchest-auto-layout', button(CommandIDs.autoLayout));
  toolbar.addItem('orchest-log', button(CommandIDs.toggleLog, trans.__('Log')));
  toolbar.addItem(
    'orchest-properties',
    new ToolbarButton({
      label: trans.__('Properties'),
      tooltip: trans.__('Show or hide the properties panel'),
      onClick: () => widget.controller.toggleProperties()
    })
  );
}
