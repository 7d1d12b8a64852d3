/**
 * Every command of orchest-jlab, declared in one place (`CommandIDs`); they
 * are registered by area: editing.ts, running.ts, cache.ts, files.ts (the setup
 * script's Save by the environments plugin). Their keyboard
 * shortcuts and menus are in the settings schema of the commands plugin
 * (schema/commands.json).
 */

import { CommandRegistry } from '@lumino/commands';

import { IPipelineTracker } from '../tokens';
import { ICommandContext } from './context';
import { addCacheCommands } from './cache';
import { addEditingCommands } from './editing';
import { addFileCommands } from './files';
import { CommandIDs } from './ids';
import { addRunningCommands } from './running';

export { CommandIDs } from './ids';
export type { ICommandContext } from './context';

/**
 * The commands of the command palette (category "Orchest").
 */
export const PALETTE_COMMANDS = [
  CommandIDs.newPipeline,
  CommandIDs.runAll,
  CommandIDs.runSelected,
  CommandIDs.runIncoming,
  CommandIDs.runChanged,
  CommandIDs.clearCache,
  CommandIDs.runThisStep,
  CommandIDs.runThisStepWithIncoming,
  CommandIDs.cancelRun,
  CommandIDs.startSession,
  CommandIDs.stopSession,
  CommandIDs.addStep,
  CommandIDs.autoLayout,
  CommandIDs.toggleLog,
  CommandIDs.validate
];

/**
 * Register the commands.
 */
export function addCommands(context: ICommandContext): void {
  addEditingCommands(context);
  addRunningCommands(context);
  addCacheCommands(context);
  addFileCommands(context);
}

/**
 * Keep the commands' enabled state (the toolbar buttons) current as the
 * pipeline widgets change: at most once per animation frame.
 */
export function keepCommandsCurrent(commands: CommandRegistry, pipelines: IPipelineTracker): void {
  let frame = 0;
  const refresh = (): void => {
    if (!frame) {
      frame = requestAnimationFrame(() => {
        frame = 0;
        commands.notifyCommandChanged();
      });
    }
  };
  pipelines.widgetAdded.connect((_, widget) => widget.controller.changed.connect(refresh));
  pipelines.forEach(widget => widget.controller.changed.connect(refresh));
  pipelines.currentChanged.connect(refresh);
}
