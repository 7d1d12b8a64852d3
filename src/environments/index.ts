/**
 * The environments panel: a section of the Orchest sidebar, setup script
 * editors and build logs in the main area.
 */

import { CommandRegistry } from '@lumino/commands';

import { CommandIDs } from '../commands/ids';
import { EnvironmentsManager } from './manager';

export { EnvironmentsManager } from './manager';
export { createEnvironmentsSection } from './section';

/**
 * Register the commands of the environments' views (their shortcuts are in
 * schema/environments.json).
 */
export function addEnvironmentCommands(commands: CommandRegistry, manager: EnvironmentsManager): void {
  commands.addCommand(CommandIDs.saveSetupScript, {
    label: manager.trans.__('Save Setup Script'),
    caption: manager.trans.__("Save the environment's setup script"),
    isEnabled: () => manager.currentScriptEditor !== null,
    execute: async () => {
      await manager.currentScriptEditor?.save();
    }
  });
}
