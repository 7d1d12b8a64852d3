/**
 * The environment variables of one level (a pipeline's project, or the
 * pipeline) as a masked form: read with `GET /env-variables`, saved with
 * `PUT /env-variables`; names checked here first, the server's message shown
 * when it refuses.
 */

import * as React from 'react';

import { APIError, EnvLevel, OrchestAPI } from '../api';
import { EnvEditor } from '../jobs/envEditor';
import { Translate } from '../jobs/labels';
import { envRowProblems, envRows, envVariables, IEnvRow } from './rows';

export interface IEnvVariablesFormProps {
  api: OrchestAPI;
  /** The pipeline file, relative to the server's root (saved: its uuid keys its variables). */
  path: string;
  level: EnvLevel;
  trans: Translate;
  disabled?: boolean;
}

export function EnvVariablesForm(props: IEnvVariablesFormProps): JSX.Element {
  const { api, path, level, trans, disabled } = props;
  const [saved, setSaved] = React.useState<IEnvRow[] | null>(null);
  const [rows, setRows] = React.useState<IEnvRow[]>([]);
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const [note, setNote] = React.useState<string | null>(null);

  React.useEffect(() => {
    let cancelled = false;
    setSaved(null);
    setError(null);
    api
      .getEnvVariables(path)
      .then(answer => {
        if (!cancelled) {
          const current = envRows(answer[level]);
          setSaved(current);
          setRows(current);
        }
      })
      .catch(e => !cancelled && setError((e as Error).message));
    return () => {
      cancelled = true;
    };
  }, [api, path, level]);

  const problems = envRowProblems(rows, trans);
  const dirty = saved !== null && JSON.stringify(envVariables(rows)) !== JSON.stringify(envVariables(saved));
  const save = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.putEnvVariables(path, { [level]: envVariables(rows) });
      const current = envRows(answer[level]);
      setSaved(current);
      setRows(current);
      setNote(trans.__('Saved. New runs and kernels get them.'));
    } catch (e) {
      setError(e instanceof APIError ? e.message : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="jp-OrchestEnvVariables" data-level={level}>
      {saved === null && !error ? <div className="jp-OrchestSidebar-empty">{trans.__('Loading…')}</div> : null}
      {saved !== null ? (
        <fieldset disabled={disabled || busy} className="jp-OrchestEnvVariables-rows">
          <EnvEditor
            trans={trans}
            rows={rows}
            problems={problems}
            onChange={next => {
              setRows(next);
              setNote(null);
            }}
          />
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-OrchestEnvVariables-save"
            disabled={!dirty || problems.size > 0}
            onClick={() => void save()}
          >
            {trans.__('Save variables')}
          </button>
        </fieldset>
      ) : null}
      {note && !dirty ? <div className="jp-OrchestEnvVariables-note">{note}</div> : null}
      {error ? <div className="jp-OrchestJobs-problem jp-OrchestEnvVariables-error">{error}</div> : null}
    </div>
  );
}
