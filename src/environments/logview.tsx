/**
 * The build log of an environment (main area): the last build's status and
 * log, live, with build, force rebuild and cancel.
 */

import { MainAreaWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { IEnvironment } from '../api';
import { environmentIcon } from '../icons';
import { BuildLogModel } from './buildlog';
import { buildStatusLabel } from '../status';
import { isBuildActive } from './model';

/** What the log view's buttons do. */
export interface IBuildActions {
  build(env: IEnvironment, force: boolean): Promise<void>;
  cancel(env: IEnvironment): Promise<void>;
}

function LogText(props: { lines: readonly string[]; version: number }): JSX.Element {
  const ref = React.useRef<HTMLPreElement>(null);
  const atEnd = React.useRef(true);
  // Follow the end of the log unless the reader scrolled up.
  React.useLayoutEffect(() => {
    const node = ref.current;
    if (node && atEnd.current) {
      node.scrollTop = node.scrollHeight;
    }
  }, [props.version]);
  return (
    <pre
      ref={ref}
      className="jp-OrchestLog-text jp-OrchestBuildLog-text"
      onScroll={e => {
        const node = e.currentTarget;
        atEnd.current = node.scrollHeight - node.scrollTop - node.clientHeight < 20;
      }}
    >
      {props.lines.join('\n')}
    </pre>
  );
}

/**
 * The content of the view: a header (status, buttons) and the log.
 */
export class BuildLogPanel extends ReactWidget {
  constructor(
    readonly model: BuildLogModel,
    private _environment: IEnvironment,
    private readonly _actions: IBuildActions,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-OrchestBuildLog');
    model.changed.connect(() => this._version++);
  }

  get environment(): IEnvironment {
    return this._environment;
  }

  set environment(env: IEnvironment) {
    this._environment = env;
    this.update();
    this._environmentChanged.emit(env);
  }

  /** The environment was read again (e.g. renamed). */
  get environmentChanged(): ISignal<this, IEnvironment> {
    return this._environmentChanged;
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => {
          const trans = this._trans;
          const env = this._environment;
          const build = this.model.build;
          const active = isBuildActive(build?.status);
          return (
            <>
              <div className="jp-OrchestBuildLog-header">
                <span
                  className={`jp-OrchestRunStatus-dot jp-mod-${(build?.status ?? 'none').toLowerCase()}`}
                />
                <span className="jp-OrchestBuildLog-status" data-status={build?.status ?? 'NONE'}>
                  {buildStatusLabel(trans, build)}
                </span>
                <span className="jp-OrchestBuildLog-image" title={build?.resolved_base_image ?? ''}>
                  {build?.image || env.base_image || ''}
                </span>
                <button
                  className="jp-mod-styled jp-mod-accept"
                  name="build"
                  disabled={active}
                  title={trans.__('Build the image (nothing is done when it is up to date)')}
                  onClick={() => void this._actions.build(env, false)}
                >
                  {trans.__('Build')}
                </button>
                <button
                  className="jp-mod-styled jp-mod-reject"
                  name="rebuild"
                  disabled={active}
                  title={trans.__('Build the image even when it is up to date')}
                  onClick={() => void this._actions.build(env, true)}
                >
                  {trans.__('Rebuild')}
                </button>
                <button
                  className="jp-mod-styled jp-mod-warn"
                  name="cancel"
                  disabled={!active}
                  onClick={() => void this._actions.cancel(env)}
                >
                  {trans.__('Cancel build')}
                </button>
              </div>
              {build?.error ? <div className="jp-OrchestBuildLog-error">{build.error}</div> : null}
              {this.model.loading ? (
                <div className="jp-OrchestBuildLog-empty">{trans.__('Loading…')}</div>
              ) : !build ? (
                <div className="jp-OrchestBuildLog-empty">{trans.__('Not built yet.')}</div>
              ) : null}
              <LogText lines={this.model.lines} version={this._version} />
            </>
          );
        }}
      </UseSignal>
    );
  }

  private _version = 0;
  private _environmentChanged = new Signal<this, IEnvironment>(this);
}

/**
 * The view in the main area.
 */
export class BuildLogView extends MainAreaWidget<BuildLogPanel> {
  constructor(content: BuildLogPanel, trans: TranslationBundle) {
    super({ content });
    this.addClass('jp-OrchestBuildLogView');
    this.title.icon = environmentIcon;
    this.title.closable = true;
    const update = (): void => {
      const env = content.environment;
      this.title.label = trans.__('Build log · %1', env.name);
      this.title.caption = trans.__('Build log of the environment “%1”', env.name);
    };
    update();
    content.environmentChanged.connect(update);
  }
}
