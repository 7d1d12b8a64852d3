/**
 * A pipeline's interactive session in the pipelines list: its status, live
 * from the session tracker (the `session` events), and start / stop.
 */

import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { ISession, SessionStatus } from '../api';
import { SessionTracker } from '../sessions';
import { sessionStatusLabel } from '../status';

/** A number that changes with any session's status. */
export function useSessions(sessions: SessionTracker): number {
  const [version, setVersion] = React.useState(0);
  React.useEffect(() => {
    const bump = (): void => setVersion(v => v + 1);
    sessions.changed.connect(bump);
    return () => {
      sessions.changed.disconnect(bump);
    };
  }, [sessions]);
  return version;
}

/** Statuses in which Stop is offered (the rest offer Start). */
const STOPPABLE: ReadonlySet<SessionStatus> = new Set(['LAUNCHING', 'RUNNING']);

export function SessionControl(props: { path: string; sessions: SessionTracker; trans: TranslationBundle }): JSX.Element {
  const { path, sessions, trans } = props;
  const session: ISession | null = sessions.session(path);
  const status: SessionStatus = session?.status ?? 'STOPPED';
  const [busy, setBusy] = React.useState(false);
  const act = (stop: boolean): void => {
    setBusy(true);
    (stop ? sessions.stop(path) : sessions.start(path))
      .catch(error =>
        Notification.error(
          stop
            ? trans.__('Cannot stop the session of %1: %2', path, (error as Error).message)
            : trans.__('Cannot start the session of %1: %2', path, (error as Error).message),
          { autoClose: 8000 }
        )
      )
      .finally(() => setBusy(false));
  };
  const stop = STOPPABLE.has(status);
  const label = sessionStatusLabel(trans, status);
  return (
    <span className="jp-OrchestPipelineSession" data-status={status} title={session?.message ? `${label}: ${session.message}` : label}>
      <span className={`jp-OrchestRunStatus-dot jp-OrchestSession-dot jp-mod-${status.toLowerCase()}`} />
      <button
        className="jp-OrchestSmallButton jp-OrchestPipelineSession-button"
        data-action={stop ? 'stop-session' : 'start-session'}
        disabled={busy || status === 'STOPPING'}
        title={stop ? trans.__('Stop the interactive session (its kernels)') : trans.__('Start the interactive session')}
        onClick={e => {
          e.stopPropagation();
          act(stop);
        }}
      >
        {stop ? trans.__('Stop') : trans.__('Start')}
      </button>
    </span>
  );
}
