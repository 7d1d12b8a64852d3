/**
 * The interactive session's status in the editor's toolbar.
 */

import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { sessionStatusLabel } from '../status';
import { PipelineEditorController } from './document';
import { useController } from './hooks';

function SessionStatusView(props: { controller: PipelineEditorController; trans: TranslationBundle }): JSX.Element {
  const { controller, trans } = props;
  useController(controller);
  const session = controller.session;
  const status = session?.status ?? null;
  return (
    <span
      className="jp-OrchestSession"
      data-status={status ?? 'UNKNOWN'}
      title={
        session?.message ||
        (controller.sessionError ? trans.__('Not started: %1', controller.sessionError) : sessionStatusLabel(trans, status))
      }
    >
      <span className={`jp-OrchestRunStatus-dot jp-OrchestSession-dot jp-mod-${(status ?? 'unknown').toLowerCase()}`} />
      <span className="jp-OrchestSession-label">{sessionStatusLabel(trans, status)}</span>
    </span>
  );
}

/**
 * The toolbar item: the status, with the session's message as its tooltip.
 */
export class SessionStatusItem extends ReactWidget {
  constructor(
    private readonly _controller: PipelineEditorController,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-OrchestSession-item');
  }

  render(): JSX.Element {
    return <SessionStatusView controller={this._controller} trans={this._trans} />;
  }
}
