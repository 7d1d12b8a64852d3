/**
 * The commands that run pipelines and show runs: run all / selected /
 * incoming, cancel, the interactive session's start and stop, a past run
 * read-only and its editable copy.
 */

import {
  closeIcon,
  fastForwardIcon,
  fileUploadIcon,
  kernelIcon,
  runIcon,
  stopIcon,
  tableRowsIcon
} from '@jupyterlab/ui-components';

import { currentEditor, currentRunView, ICommandContext, paneItemVisible } from './context';
import { CommandIDs } from './ids';

/**
 * Register the commands of runs and sessions.
 */
export function addRunningCommands(context: ICommandContext): void {
  const { commands, trans } = context;
  const editor = () => currentEditor(context);
  const canRun = (needsSelection: boolean): boolean => {
    const c = editor();
    return !!c?.model && (!needsSelection || c.selection.size > 0) && !c.isRunning && !c.starting;
  };

  commands.addCommand(CommandIDs.runAll, {
    label: trans.__('Run All Steps'),
    caption: trans.__('Run every step of the pipeline'),
    icon: fastForwardIcon,
    isVisible: args => paneItemVisible(context, args),
    isEnabled: () => canRun(false),
    execute: () => editor()?.run('full')
  });

  commands.addCommand(CommandIDs.runSelected, {
    label: trans.__('Run Selected Steps'),
    caption: trans.__('Run the selected steps (and the connections among them)'),
    icon: runIcon,
    isEnabled: () => canRun(true),
    execute: () => editor()?.run('selection')
  });

  commands.addCommand(CommandIDs.runIncoming, {
    label: trans.__('Run Incoming Steps'),
    caption: trans.__('Run the steps that the selected steps depend on'),
    icon: tableRowsIcon,
    isEnabled: () => canRun(true),
    execute: () => editor()?.run('incoming')
  });

  commands.addCommand(CommandIDs.cancelRun, {
    label: trans.__('Cancel Run'),
    caption: trans.__('Cancel the run in progress'),
    icon: stopIcon,
    isEnabled: () => !!editor()?.isRunning,
    execute: () => editor()?.cancelRun()
  });

  const sessionStatus = () => editor()?.session?.status ?? null;

  commands.addCommand(CommandIDs.startSession, {
    label: trans.__('Start Interactive Session'),
    caption: trans.__('Start the interactive session of the pipeline (its kernels and services)'),
    icon: args => (args.isPalette ? undefined : kernelIcon),
    isEnabled: () => {
      const status = sessionStatus();
      return !!editor() && (status === null || status === 'STOPPED' || status === 'FAILURE');
    },
    execute: () => editor()?.startSession()
  });

  commands.addCommand(CommandIDs.stopSession, {
    label: trans.__('Stop Interactive Session'),
    caption: trans.__('Stop the interactive session of the pipeline'),
    icon: args => (args.isPalette ? undefined : closeIcon),
    isEnabled: () => sessionStatus() === 'RUNNING' || sessionStatus() === 'LAUNCHING',
    execute: () => editor()?.stopSession()
  });

  commands.addCommand(CommandIDs.openRun, {
    label: trans.__('Open Run (Read-Only)'),
    caption: trans.__('Show a past run: its pipeline as it ran, its states, logs and executed notebooks'),
    execute: args => {
      const runUuid = args.runUuid;
      if (typeof runUuid !== 'string' || !runUuid) {
        throw new Error(`${CommandIDs.openRun} needs a runUuid (a string), got ${JSON.stringify(runUuid)}`);
      }
      return context.pipelines.openRun(runUuid);
    }
  });

  commands.addCommand(CommandIDs.copyRunPipeline, {
    label: trans.__('Create Editable Copy'),
    caption: trans.__('Copy the pipeline this run ran into a new .orchest file and open it'),
    icon: fileUploadIcon,
    isEnabled: () => !!currentRunView(context)?.model,
    execute: () => currentRunView(context)?.createEditableCopy()
  });
}
