/**
 * The commands of the file browser and notebooks: a new pipeline, running a
 * notebook or script as a step of its pipeline, adding it to a pipeline.
 */

import { InputDialog, Notification, showErrorMessage } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { fastForwardIcon, runIcon } from '@jupyterlab/ui-components';

import { errorMessage, isStepFile } from '../editor/helpers';
import { PIPELINE_EDITOR_FACTORY } from '../editor/services';
import { sessionErrorText } from '../editor/interactive';
import { PipelineEditorWidget } from '../editor/widget';
import { pipelineIcon } from '../icons';
import { uuid4 } from '../model';
import { withIncomingSteps } from '../stepfiles';
import { ICommandContext } from './context';
import { CommandIDs } from './ids';

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
 * Why a pipeline name cannot be a file name, or null.
 */
export function pipelineNameProblem(trans: { __: (text: string, ...args: string[]) => string }, name: string): string | null {
  if (!name) {
    return trans.__('A pipeline needs a name.');
  }
  if (/[\\/:]/.test(name) || name.startsWith('.')) {
    return trans.__('“%1” cannot be a file name: no /, \\ or :, and no leading dot.', name);
  }
  return null;
}

/** Whether a file exists (contents API). */
async function exists(context: ICommandContext, path: string): Promise<boolean> {
  try {
    await context.contents.get(path, { content: false });
    return true;
  } catch {
    return false;
  }
}

/**
 * Register the commands of the file browser and notebooks.
 */
export function addFileCommands(context: ICommandContext): void {
  const { commands, trans } = context;

  commands.addCommand(CommandIDs.newPipeline, {
    label: args =>
      args.isPalette || args.inSelectedFolder ? trans.__('New Pipeline') : trans.__('Pipeline'),
    caption: trans.__('Create a new Orchest pipeline'),
    icon: args => (args.isPalette ? undefined : pipelineIcon),
    execute: async args => {
      const folder = context.selectedFiles().find(f => f.isDir);
      const cwd = (args.cwd as string) ?? (args.inSelectedFolder && folder ? folder.path : context.currentDirectory());
      const answer = await InputDialog.getText({
        title: trans.__('New Pipeline'),
        label: trans.__('Name (the file is <name>.orchest in %1)', cwd || trans.__('the root folder')),
        placeholder: trans.__('e.g. weather'),
        okLabel: trans.__('Create')
      });
      if (!answer.button.accept || answer.value === null) {
        return;
      }
      const name = answer.value.trim().replace(/\.orchest$/, '');
      const problem = pipelineNameProblem(trans, name);
      const path = PathExt.join(cwd, `${name}.orchest`);
      try {
        if (problem) {
          throw new Error(problem);
        }
        if (await exists(context, path)) {
          throw new Error(trans.__('%1 already exists: choose another name.', path));
        }
        await context.contents.save(path, { type: 'file', format: 'text', content: newPipelineText(name) });
      } catch (error) {
        await showErrorMessage(trans.__('The pipeline was not created'), errorMessage(error));
        return;
      }
      return commands.execute('docmanager:open', { path });
    }
  });

  // ---------------------------------------------------------- file browser

  const selectedStepFile = (args: { path?: unknown } = {}): string | null => {
    if (typeof args.path === 'string') {
      return isStepFile(args.path) ? args.path : null;
    }
    const files = context.selectedFiles();
    return files.length === 1 && !files[0].isDir && isStepFile(files[0].path) ? files[0].path : null;
  };

  /**
   * Run a file's step (asking which when the file is a step of several
   * pipelines). `watch`: in its pipeline's editor, opened for it (from the file
   * browser); otherwise the status bar shows the step's state.
   */
  const runFile = async (withIncoming: boolean, args: { path?: unknown }, watch = true): Promise<void> => {
    const path = selectedStepFile(args);
    if (!path) {
      return;
    }
    try {
      const steps = await context.api.stepsOfFile(path);
      if (!steps.length) {
        Notification.warning(
          trans.__('%1 is not a step of any pipeline: add it to one first.', PathExt.basename(path)),
          { autoClose: 5000 }
        );
        return;
      }
      let chosen = steps[0];
      if (steps.length > 1) {
        const labels = steps.map(s => trans.__('“%1” in %2', s.title, s.pipeline_path));
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
      const pipeline = chosen.pipeline_path;
      const selection = withIncoming ? await withIncomingSteps(context.api, chosen) : [chosen.step_uuid];
      let editor: PipelineEditorWidget | null = null;
      if (watch) {
        // Watch it in the pipeline's editor, which shows the session starting.
        const opened = await commands.execute('docmanager:open', { path: pipeline, factory: PIPELINE_EDITOR_FACTORY });
        editor = opened instanceof PipelineEditorWidget ? opened : null;
      } else {
        context.events.start(); // the status bar follows the step's state
      }
      const session = context.sessions.session(pipeline);
      let notice: string | null = null;
      if (session?.status !== 'RUNNING') {
        notice = Notification.emit(trans.__('Starting the interactive session of %1…', pipeline), 'in-progress', {
          autoClose: false
        });
      }
      try {
        await context.sessions.ensureRunning(pipeline);
      } finally {
        if (notice) {
          Notification.dismiss(notice);
        }
      }
      const run = await context.api.startRun({ pipeline, run_type: 'selection', steps: selection, interactive: true });
      // The editor opened for it shows it now, whether or not its events reached the editor yet.
      editor?.controller.showRun(run);
    } catch (error) {
      Notification.error(trans.__('The step could not be run: %1', sessionErrorText(trans, error)), {
        autoClose: 8000
      });
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

  // ---------------------------------------------------------- open documents

  const currentStepDocument = (args: { fromTab?: unknown }) => {
    const document = context.currentDocument(args.fromTab === true);
    return document && isStepFile(document.path) ? document : null;
  };
  const runDocument = async (withIncoming: boolean, args: { fromTab?: unknown }): Promise<void> => {
    const document = currentStepDocument(args);
    if (!document) {
      return;
    }
    if (document.dirty) {
      await document.save(); // the run reads the file from disk
    }
    await runFile(withIncoming, { path: document.path }, false);
  };

  const runThisStep = [
    [
      CommandIDs.runThisStep,
      false,
      trans.__('Run This Step'),
      trans.__('Save this notebook or script, and run it as a step of its pipeline'),
      runIcon
    ],
    [
      CommandIDs.runThisStepWithIncoming,
      true,
      trans.__('Run This Step and Its Incoming Steps'),
      trans.__('Save this notebook or script, and run it after the steps it depends on'),
      fastForwardIcon
    ]
  ] as const;
  for (const [id, withIncoming, label, caption, icon] of runThisStep) {
    commands.addCommand(id, {
      label,
      caption,
      icon: args => (args.isPalette ? undefined : icon),
      isEnabled: args => currentStepDocument(args) !== null,
      execute: args => runDocument(withIncoming, args)
    });
  }

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
        const pipelines = await context.api.listPipelines();
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
        await widget.controller.edits.addStepsForFiles([path]);
      } catch (error) {
        Notification.error(errorMessage(error), { autoClose: 8000 });
      }
    }
  });
}
