/**
 * The commands of the step cache: run the steps whose inputs changed (the
 * pipeline run with the cache) and clear the cache of the pipeline or of the
 * selected steps.
 */

import { deleteIcon, refreshIcon } from '@jupyterlab/ui-components';

import { errorMessage } from '../editor/helpers';
import { currentEditor, ICommandContext, paneItemVisible } from './context';
import { CommandIDs } from './ids';

/**
 * Register the commands of the step cache.
 */
export function addCacheCommands(context: ICommandContext): void {
  const { commands, trans } = context;
  const editor = () => currentEditor(context);

  commands.addCommand(CommandIDs.runChanged, {
    label: trans.__('Run Changed Steps'),
    caption: trans.__(
      'Run the pipeline with the step cache: a step whose file, parameters, environment, inputs and read files are unchanged since a successful run is not run again'
    ),
    icon: refreshIcon,
    isVisible: args => paneItemVisible(context, args),
    isEnabled: () => {
      const c = editor();
      return !!c?.model && !c.isRunning && !c.starting;
    },
    execute: () => editor()?.run('full', true)
  });

  commands.addCommand(CommandIDs.clearCache, {
    label: args => (args.step ? trans.__('Clear Cache of Selected Steps') : trans.__('Clear Step Cache')),
    caption: trans.__('Remove the step cache entries: the next run with the cache runs these steps'),
    icon: args => (args.isPalette ? undefined : deleteIcon),
    isVisible: args => paneItemVisible(context, args),
    isEnabled: args => {
      const c = editor();
      return !!c?.model && (!args.step || c.selection.size > 0);
    },
    execute: async args => {
      const c = editor();
      if (!c?.model) {
        return;
      }
      const steps = args.step ? [...c.selection] : [undefined];
      try {
        let removed = 0;
        for (const step of steps) {
          removed += await context.api.clearCache(c.path, step);
        }
        c.say(trans._n('%1 cache entry removed.', '%1 cache entries removed.', removed));
      } catch (error) {
        c.say(errorMessage(error), 'error');
      }
    }
  });
}
