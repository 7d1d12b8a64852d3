/**
 * The project's environment variables in the Orchest sidebar: those of the
 * project of the pipeline open in the current editor, masked.
 */

import { IWidgetTracker } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { OrchestAPI } from '../api';
import { PipelineEditorWidget } from '../editor/widget';
import { Translate } from '../jobs/labels';
import { EnvVariablesForm } from './editor';

/** The path of the pipeline in the current editor, or null. */
function useCurrentPath(tracker: IWidgetTracker<PipelineEditorWidget>): string | null {
  const [path, setPath] = React.useState<string | null>(tracker.currentWidget?.controller.path ?? null);
  React.useEffect(() => {
    const update = (): void => setPath(tracker.currentWidget?.controller.path ?? null);
    const widget = tracker.currentWidget;
    tracker.currentChanged.connect(update);
    widget?.context.pathChanged.connect(update);
    update();
    return () => {
      tracker.currentChanged.disconnect(update);
      widget?.context.pathChanged.disconnect(update);
    };
  }, [tracker, tracker.currentWidget]);
  return path;
}

function ProjectVariablesSection(props: {
  api: OrchestAPI;
  tracker: IWidgetTracker<PipelineEditorWidget>;
  trans: Translate;
}): JSX.Element {
  const { api, tracker, trans } = props;
  const path = useCurrentPath(tracker);
  return (
    <section className="jp-OrchestSidebar-section jp-OrchestEnvVariables-section">
      <header className="jp-OrchestSidebar-header">
        <h3>{trans.__('Project environment variables')}</h3>
      </header>
      {path ? (
        <EnvVariablesForm key={path} api={api} path={path} level="project" trans={trans} />
      ) : (
        <div className="jp-OrchestSidebar-empty">{trans.__('Open a pipeline to see its project’s variables.')}</div>
      )}
      <div className="jp-OrchestEnvVariables-about">
        {trans.__('Every step of every pipeline of the project gets them; a pipeline’s own override them.')}
      </div>
    </section>
  );
}

/**
 * The section's widget (in the Orchest sidebar).
 */
export function createProjectVariablesSection(
  api: OrchestAPI,
  tracker: IWidgetTracker<PipelineEditorWidget>,
  trans: Translate
): Widget {
  return ReactWidget.create(<ProjectVariablesSection api={api} tracker={tracker} trans={trans} />);
}
