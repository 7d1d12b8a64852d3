/**
 * The environment variables of a job: names and values, the values masked
 * (they are secrets as often as not: the server keeps them out of files and
 * logs).
 */

import { closeIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IEnvRow } from './form';
import { Translate } from './labels';

export interface IEnvEditorProps {
  trans: Translate;
  rows: IEnvRow[];
  /** Problems by row index. */
  problems: Map<number, string>;
  onChange(rows: IEnvRow[]): void;
}

export function EnvEditor(props: IEnvEditorProps): JSX.Element {
  const { trans, rows, problems, onChange } = props;
  const [shown, setShown] = React.useState(false);
  const set = (index: number, row: Partial<IEnvRow>): void =>
    onChange(rows.map((r, i) => (i === index ? { ...r, ...row } : r)));
  return (
    <div className="jp-OrchestJobs-env">
      {rows.map((row, i) => (
        <div key={i} className="jp-OrchestJobs-envRow">
          <div className="jp-OrchestJobs-row">
            <input
              className="jp-OrchestJobs-envName"
              aria-label={trans.__('Name of variable %1', i + 1)}
              placeholder={trans.__('NAME')}
              value={row.name}
              spellCheck={false}
              onChange={e => set(i, { name: e.target.value })}
            />
            <input
              className="jp-OrchestJobs-envValue"
              aria-label={trans.__('Value of variable %1', i + 1)}
              placeholder={trans.__('value')}
              type={shown ? 'text' : 'password'}
              autoComplete="off"
              value={row.value}
              onChange={e => set(i, { value: e.target.value })}
            />
            <button
              type="button"
              className="jp-OrchestSidebar-button"
              title={trans.__('Remove this variable')}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              <closeIcon.react tag="span" />
            </button>
          </div>
          {problems.has(i) ? <div className="jp-OrchestJobs-problem">{problems.get(i)}</div> : null}
        </div>
      ))}
      <div className="jp-OrchestJobs-row">
        <button
          type="button"
          className="jp-OrchestJobs-link"
          onClick={() => onChange([...rows, { name: '', value: '' }])}
        >
          {trans.__('Add a variable')}
        </button>
        {rows.length ? (
          <label className="jp-OrchestJobs-show">
            <input type="checkbox" checked={shown} onChange={e => setShown(e.target.checked)} />
            {trans.__('Show values')}
          </label>
        ) : null}
      </div>
    </div>
  );
}
