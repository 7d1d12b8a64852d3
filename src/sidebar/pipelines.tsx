/**
 * The pipelines section of the Orchest sidebar: every `.orchest` file under
 * the server's root: its name (and folder where names repeat), its step or
 * error count, and its interactive session with start / stop.
 */

import { IWidgetTracker } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, ReactWidget, refreshIcon } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Contents } from '@jupyterlab/services';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { IPipelineSummary, OrchestAPI } from '../api';
import { CommandIDs } from '../commands/ids';
import { PipelineEditorWidget } from '../editor/widget';
import { pipelineIcon } from '../icons';
import { SessionTracker } from '../sessions';
import { pipelineLabels } from './labels';
import { SessionControl, useSessions } from './session';

interface IPipelinesProps {
  api: OrchestAPI;
  commands: CommandRegistry;
  /** The pipeline editors: a save can change a name or a step count. */
  editors: IWidgetTracker<PipelineEditorWidget>;
  sessions: SessionTracker;
  /** Emitted when the list may have changed: the section was shown, a .orchest file changed. */
  stale: ISignal<unknown, void>;
  trans: TranslationBundle;
}

/** A number that changes whenever an open pipeline is saved. */
function useSaves(editors: IWidgetTracker<PipelineEditorWidget>): number {
  const [saves, setSaves] = React.useState(0);
  React.useEffect(() => {
    const onSaved = (): void => setSaves(v => v + 1);
    const onAdded = (_: unknown, editor: PipelineEditorWidget): void => {
      editor.context.fileChanged.connect(onSaved);
    };
    editors.widgetAdded.connect(onAdded);
    editors.forEach(editor => onAdded(editors, editor));
    return () => {
      editors.widgetAdded.disconnect(onAdded);
      editors.forEach(editor => editor.context.fileChanged.disconnect(onSaved));
    };
  }, [editors]);
  return saves;
}

function PipelinesSection(props: IPipelinesProps): JSX.Element {
  const { api, commands, trans } = props;
  const saves = useSaves(props.editors);
  useSessions(props.sessions);
  const [pipelines, setPipelines] = React.useState<IPipelineSummary[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [reload, setReload] = React.useState(0);
  React.useEffect(() => {
    const onStale = (): void => {
      setReload(r => r + 1);
      props.sessions.refreshAll().catch(error => console.warn('orchest-jlab: cannot list the sessions', error));
    };
    props.stale.connect(onStale);
    return () => {
      props.stale.disconnect(onStale);
    };
  }, [props.stale, props.sessions]);
  React.useEffect(() => {
    let cancelled = false;
    api
      .listPipelines()
      .then(list => {
        if (!cancelled) {
          setPipelines(list);
          setError(null);
        }
      })
      .catch(e => !cancelled && setError((e as Error).message));
    return () => {
      cancelled = true;
    };
  }, [api, reload, saves]);
  const labels = React.useMemo(() => pipelineLabels(pipelines ?? []), [pipelines]);
  return (
    <section className="jp-OrchestSidebar-section">
      <header className="jp-OrchestSidebar-header">
        <h3>{trans.__('Pipelines')}</h3>
        <button
          className="jp-OrchestSidebar-button"
          title={trans.__('New pipeline')}
          onClick={() => void commands.execute(CommandIDs.newPipeline)}
        >
          <addIcon.react tag="span" />
        </button>
        <button
          className="jp-OrchestSidebar-button"
          title={trans.__('Refresh')}
          onClick={() => setReload(reload + 1)}
        >
          <refreshIcon.react tag="span" />
        </button>
      </header>
      {error ? <div className="jp-OrchestSidebar-error">{error}</div> : null}
      {pipelines && !pipelines.length ? (
        <div className="jp-OrchestSidebar-empty">{trans.__('No pipelines (.orchest files) yet.')}</div>
      ) : null}
      <ul className="jp-OrchestSidebar-list jp-OrchestSidebar-pipelines">
        {(pipelines ?? []).map(p => {
          const label = labels.get(p.path)!;
          return (
            <li
              key={p.path}
              className="jp-OrchestSidebar-item jp-OrchestPipelineItem"
              data-path={p.path}
              title={p.path}
              onClick={() => void commands.execute('docmanager:open', { path: p.path })}
            >
              <pipelineIcon.react tag="span" className="jp-OrchestSidebar-icon" />
              <span className="jp-OrchestPipelineItem-body">
                <span className="jp-OrchestSidebar-name">{label.name}</span>
                <span className="jp-OrchestSidebar-meta jp-OrchestPipelineItem-details">
                  {label.where !== null ? <span className="jp-OrchestPipelineItem-folder">{label.where}</span> : null}
                  <span className="jp-OrchestPipelineItem-count">
                    {p.error_count
                      ? trans._n('%1 error', '%1 errors', p.error_count)
                      : trans._n('%1 step', '%1 steps', p.step_count)}
                  </span>
                </span>
              </span>
              <SessionControl path={p.path} sessions={props.sessions} trans={trans} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/**
 * The section's widget.
 */
export function createPipelinesSection(
  props: Omit<IPipelinesProps, 'stale'> & { contents: Contents.IManager }
): Widget {
  return new PipelinesSectionWidget(props);
}

/**
 * Files made or removed elsewhere (a terminal, the REST API, another page)
 * send no event: the list is read again whenever the section is shown.
 */
class PipelinesSectionWidget extends ReactWidget {
  constructor(private readonly _props: Omit<IPipelinesProps, 'stale'> & { contents: Contents.IManager }) {
    super();
    _props.contents.fileChanged.connect(this._onFileChanged, this);
  }

  dispose(): void {
    this._props.contents.fileChanged.disconnect(this._onFileChanged, this);
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._stale.emit();
  }

  protected render(): JSX.Element {
    return <PipelinesSection {...this._props} stale={this._stale} />;
  }

  private _onFileChanged(_: Contents.IManager, change: Contents.IChangedArgs): void {
    // A pipeline made, renamed or deleted (a folder's deletion may take pipelines with it).
    const paths = [change.oldValue?.path, change.newValue?.path];
    if (change.type === 'delete' || paths.some(path => path?.endsWith('.orchest'))) {
      this._stale.emit();
    }
  }

  private _stale = new Signal<this, void>(this);
}
