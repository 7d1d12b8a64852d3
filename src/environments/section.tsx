/**
 * The environments section of the Orchest sidebar: the environments of the
 * project of the pipeline in the current editor (or of a chosen project),
 * with their last build's status, live.
 */

import { IWidgetTracker } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import {
  addIcon,
  buildIcon,
  closeIcon,
  deleteIcon,
  editIcon,
  folderIcon,
  listIcon,
  refreshIcon,
  stopIcon,
  textEditorIcon,
  ReactWidget
} from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { IEnvironment } from '../api';
import { IconButton } from '../components/iconbutton';
import { useCurrentPipeline } from '../editor/hooks';
import { PipelineWidget } from '../editor/widget';
import { EventsClient, OrchestEvent } from '../events';
import { buildStatusLabel } from '../status';
import { EnvironmentsManager } from './manager';
import { applyBuildEvent, eventEffect, isBuildActive, languageLabel, mergeEnvironments } from './model';

function EnvironmentItem(props: { env: IEnvironment; manager: EnvironmentsManager; onChanged: () => void }): JSX.Element {
  const { env, manager, onChanged } = props;
  const trans = manager.trans;
  const status = env.build?.status;
  const active = isBuildActive(status);
  return (
    <li
      className="jp-OrchestEnv"
      data-env-uuid={env.uuid}
      data-env-name={env.name}
      data-status={status ?? 'NONE'}
      title={env.problems?.length ? env.problems.join('\n') : env.kernel_name}
    >
      <div className="jp-OrchestEnv-row">
        <span className={`jp-OrchestRunStatus-dot jp-mod-${(status ?? 'none').toLowerCase()}`} />
        <span className="jp-OrchestSidebar-name jp-OrchestEnv-name">{env.name}</span>
        <span className="jp-OrchestSidebar-meta jp-OrchestEnv-status">{buildStatusLabel(trans, env.build, env.source_hash)}</span>
      </div>
      <div className="jp-OrchestEnv-details">
        <span className="jp-OrchestEnv-language">{languageLabel(trans, env.language)}</span>
        {' · '}
        <span className="jp-OrchestEnv-image">{env.base_image ?? trans.__('no base image')}</span>
        {env.valid ? null : <span className="jp-OrchestEnv-invalid"> · {trans.__('invalid')}</span>}
      </div>
      <div className="jp-OrchestEnv-actions">
        {manager.canEditScripts ? (
          <IconButton
            icon={textEditorIcon}
            action="script"
            label={trans.__('Setup script')}
            title={trans.__('Edit the setup script')}
            onClick={() => void manager.openSetupScript(env)}
          />
        ) : null}
        {active ? (
          <IconButton
            icon={stopIcon}
            action="cancel"
            label={trans.__('Cancel build')}
            title={trans.__('Cancel the build')}
            onClick={() => void manager.cancel(env)}
          />
        ) : (
          <IconButton
            icon={buildIcon}
            action="build"
            label={trans.__('Build')}
            title={trans.__('Build the image (nothing is done when it is up to date)')}
            onClick={() => void manager.build(env, false)}
          />
        )}
        <IconButton
          icon={refreshIcon}
          action="rebuild"
          label={trans.__('Rebuild')}
          disabled={active}
          title={trans.__('Rebuild the image, even when it is up to date')}
          onClick={() => void manager.build(env, true)}
        />
        <IconButton
          icon={listIcon}
          action="log"
          label={trans.__('Log')}
          title={trans.__('Show the build log')}
          onClick={() => manager.openBuildLog(env)}
        />
        <IconButton
          icon={editIcon}
          action="edit"
          label={trans.__('Edit')}
          title={trans.__('Edit the name, language, base image, GPU support and network')}
          onClick={() => void manager.edit(env).then(onChanged)}
        />
        <IconButton
          icon={deleteIcon}
          action="delete"
          label={trans.__('Delete')}
          title={trans.__('Delete the environment')}
          onClick={() => void manager.remove(env).then(onChanged)}
        />
      </div>
    </li>
  );
}

interface ISectionProps {
  manager: EnvironmentsManager;
  events: EventsClient;
  /** The pipeline widgets (editors and run views): the current one's project is shown. */
  tracker: IWidgetTracker<PipelineWidget>;
}

function EnvironmentsSection(props: ISectionProps): JSX.Element {
  const { manager, events, tracker } = props;
  const trans = manager.trans;
  const pipeline = useCurrentPipeline(tracker);
  const [chosen, setChosen] = React.useState<string | null>(null);
  const [project, setProject] = React.useState<string | null>(null);
  const [environments, setEnvironments] = React.useState<IEnvironment[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [reload, setReload] = React.useState(0);
  const bump = React.useCallback(() => setReload(r => r + 1), []);
  // What to list: a chosen project, else the current pipeline's.
  const target = chosen ?? pipeline;

  React.useEffect(() => {
    let cancelled = false;
    if (target === null) {
      setProject(null);
      setEnvironments(null);
      setError(null);
      return;
    }
    manager.api
      .getEnvironments(target)
      .then(body => {
        if (!cancelled) {
          setProject(body.project);
          setEnvironments(shown => mergeEnvironments(shown, body.environments));
          setError(null);
        }
      })
      .catch(e => {
        if (!cancelled) {
          setEnvironments(null);
          setError((e as Error).message);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [manager, target, reload]);

  React.useEffect(() => {
    if (project === null) {
      return;
    }
    let timer = 0;
    const onEvent = (_: EventsClient, event: OrchestEvent): void => {
      const effect = eventEffect(event, project, manager.options.serverRoot);
      if (effect === 'reload') {
        // Several changes at once (e.g. a reset) make one reload.
        window.clearTimeout(timer);
        timer = window.setTimeout(bump, 200);
      } else if (effect === 'build' && event.type === 'build') {
        setEnvironments(list => (list ? applyBuildEvent(list, event) : list));
      }
    };
    events.received.connect(onEvent);
    return () => {
      window.clearTimeout(timer);
      events.received.disconnect(onEvent);
    };
  }, [events, manager, project, bump]);

  const choose = manager.options.chooseProject;
  return (
    <section className="jp-OrchestSidebar-section jp-OrchestEnvironments" data-project={project ?? ''}>
      <header className="jp-OrchestSidebar-header">
        <h3>{trans.__('Environments')}</h3>
        {project !== null ? (
          <button
            className="jp-OrchestSidebar-button"
            title={trans.__('New environment')}
            data-action="create"
            onClick={() => void manager.create(project).then(bump)}
          >
            <addIcon.react tag="span" />
          </button>
        ) : null}
        {choose ? (
          <button
            className="jp-OrchestSidebar-button"
            title={trans.__('Choose a project folder')}
            data-action="choose-project"
            onClick={() =>
              void choose().then(folder => {
                if (folder !== null) {
                  setChosen(folder);
                }
              })
            }
          >
            <folderIcon.react tag="span" />
          </button>
        ) : null}
        {chosen !== null ? (
          <button
            className="jp-OrchestSidebar-button"
            title={trans.__('Follow the pipeline of the current editor')}
            data-action="follow-editor"
            onClick={() => setChosen(null)}
          >
            <closeIcon.react tag="span" />
          </button>
        ) : null}
        <button className="jp-OrchestSidebar-button" title={trans.__('Refresh')} data-action="refresh" onClick={bump}>
          <refreshIcon.react tag="span" />
        </button>
      </header>
      {project !== null ? (
        <div className="jp-OrchestEnv-project" title={project || trans.__('The server’s root folder')}>
          <folderIcon.react tag="span" className="jp-OrchestSidebar-icon" />
          <span>{project ? PathExt.basename(project) : '/'}</span>
          {chosen !== null ? <span className="jp-OrchestSidebar-meta">{trans.__('(chosen)')}</span> : null}
        </div>
      ) : null}
      {error ? <div className="jp-OrchestSidebar-error">{error}</div> : null}
      {target === null ? (
        <div className="jp-OrchestSidebar-empty">
          {trans.__('Open a pipeline, or choose a project folder, to see its environments.')}
        </div>
      ) : null}
      {project !== null && environments?.length === 0 ? (
        <div className="jp-OrchestSidebar-empty">
          {trans.__('This project has no environments yet.')}{' '}
          <button
            className="jp-mod-styled jp-mod-accept"
            data-action="create-default"
            onClick={() => void manager.createDefault(project).then(bump)}
          >
            {trans.__('Create the default one')}
          </button>
        </div>
      ) : null}
      <ul className="jp-OrchestSidebar-list jp-OrchestEnv-list">
        {(environments ?? []).map(env => (
          <EnvironmentItem key={env.uuid} env={env} manager={manager} onChanged={bump} />
        ))}
      </ul>
    </section>
  );
}

/**
 * The section's widget (in the Orchest sidebar).
 */
export function createEnvironmentsSection(props: ISectionProps): Widget {
  return ReactWidget.create(<EnvironmentsSection {...props} />);
}
