/**
 * Every command of orchest-jlab, declared in one place (`CommandIDs`); they
 * are registered by area: editing.ts, running.ts, files.ts. Their keyboard
 * shortcuts are in the plugin's settings schema (schema/plugin.json).
 */

import { ICommandContext } from './context';
import { addEditingCommands } from './editing';
import { addFileCommands } from './files';
import { addRunningCommands } from './running';

export { populateToolbar, populateRunViewToolbar } from './toolbar';
export { newPipelineText } from './files';
export { CommandIDs } from './ids';
export type { ICommandContext } from './context';

/**
 * Register the commands.
 */
export function addCommands(context: ICommandContext): void {
  addEditingCommands(context);
  addRunningCommands(context);
  addFileCommands(context);
}
