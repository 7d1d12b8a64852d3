/**
 * The parameter grid editor of a new job: per parameter of the pipeline and
 * of its steps, a list of values (one per row, or a JSON list), the number
 * of runs the grid makes, the server's problems next to the parameters they
 * point at, and the combinations, each of which can be deselected.
 */

import { closeIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IGridPreview } from '../api';
import { IParameterSchema } from '../paramforms/schemas';
import { propertySchema } from '../paramforms/uischema';
import { ValueForm } from '../paramforms/values';
import {
  describeParameters,
  formatRow,
  IAxis,
  IGridProblems,
  parameterKey,
  parseRow,
  PIPELINE_KEY,
  switchMode,
  ValuesMode
} from './grid';
import { Translate } from './labels';

export interface IGridEditorProps {
  trans: Translate;
  axes: IAxis[];
  /** Titles of the pipeline and its steps, by grid key. */
  titles: Map<string, string>;
  /** The server's expansion of the current grid, when it accepted it. */
  preview: IGridPreview | null;
  /** The server's problems with the current grid. */
  problems: IGridProblems | null;
  /** Texts that do not read as JSON, by parameter key. */
  unreadable: Map<string, string>;
  /** The number of runs the grid makes (null: unknown while it is refused). */
  runs: number | null;
  deselected: number[];
  /** The parameter forms (schema files) of the pipeline and its steps, by grid key. */
  schemas?: Map<string, IParameterSchema>;
  onAxes(axes: IAxis[]): void;
  onDeselected(deselected: number[]): void;
}

function Problems(props: { messages: readonly string[] | undefined }): JSX.Element | null {
  if (!props.messages?.length) {
    return null;
  }
  return (
    <ul className="jp-OrchestJobs-problems">
      {props.messages.map((message, i) => (
        <li key={i} className="jp-OrchestJobs-problem">
          {message}
        </li>
      ))}
    </ul>
  );
}

function AxisEditor(props: {
  trans: Translate;
  axis: IAxis;
  problems: string[];
  /** The parameter's schema: each value is edited through its form. */
  schema: { [key: string]: unknown } | null;
  onChange(axis: IAxis): void;
}): JSX.Element {
  const { trans, axis, schema, onChange } = props;
  const setRow = (index: number, text: string): void =>
    onChange({ ...axis, rows: axis.rows.map((row, i) => (i === index ? text : row)) });
  const mode: ValuesMode = axis.mode === 'rows' ? 'json' : 'rows';
  // *Add a value* puts the cursor in the new row.
  const rowsNode = React.useRef<HTMLDivElement>(null);
  const added = React.useRef(false);
  React.useEffect(() => {
    if (added.current) {
      added.current = false;
      const inputs = rowsNode.current?.querySelectorAll<HTMLInputElement>('.jp-OrchestJobs-value');
      inputs?.[inputs.length - 1]?.focus();
    }
  }, [axis.rows.length]);
  return (
    <div
      className={`jp-OrchestJobs-axis ${props.problems.length ? 'jp-mod-error' : ''}`}
      data-owner={axis.owner}
      data-name={axis.name}
    >
      <div className="jp-OrchestJobs-axisHeader">
        <span className="jp-OrchestJobs-axisName">{axis.name}</span>
        <button
          type="button"
          className="jp-OrchestJobs-link jp-OrchestJobs-mode"
          title={trans.__('Switch between one value per row and a JSON list')}
          onClick={() => onChange(switchMode(axis, mode))}
        >
          {axis.mode === 'rows' ? trans.__('Edit as JSON list') : trans.__('Edit one value per row')}
        </button>
      </div>
      {axis.mode === 'json' ? (
        <textarea
          className="jp-OrchestJobs-json"
          aria-label={trans.__('Values of %1 as a JSON list', axis.name)}
          value={axis.text}
          rows={Math.min(6, Math.max(1, axis.text.split('\n').length))}
          spellCheck={false}
          onChange={e => onChange({ ...axis, text: e.target.value })}
        />
      ) : (
        <div className="jp-OrchestJobs-rows" ref={rowsNode}>
          {axis.rows.map((row, i) => (
            <div key={i} className="jp-OrchestJobs-row">
              {schema ? (
                <ValueForm
                  schema={schema}
                  value={parseRow(row)}
                  idPrefix={`orchest-grid-${axis.owner}-${axis.name}-${i}`}
                  onChange={value => setRow(i, value === undefined ? '' : formatRow(value))}
                />
              ) : (
                <input
                  className="jp-OrchestJobs-value"
                  aria-label={trans.__('Value %1 of %2', i + 1, axis.name)}
                  value={row}
                  spellCheck={false}
                  onChange={e => setRow(i, e.target.value)}
                />
              )}
              <button
                type="button"
                className="jp-OrchestSidebar-button"
                title={trans.__('Remove this value')}
                onClick={() => onChange({ ...axis, rows: axis.rows.filter((_, j) => j !== i) })}
              >
                <closeIcon.react tag="span" />
              </button>
            </div>
          ))}
          <button
            type="button"
            className="jp-OrchestJobs-link jp-OrchestJobs-addValue"
            onClick={() => {
              added.current = true;
              onChange({ ...axis, rows: [...axis.rows, ''] });
            }}
          >
            {trans.__('Add a value')}
          </button>
        </div>
      )}
      <Problems messages={props.problems} />
    </div>
  );
}

function Combinations(props: IGridEditorProps & { preview: IGridPreview }): JSX.Element {
  const { trans, preview, deselected, titles, onDeselected } = props;
  const off = new Set(deselected);
  const toggle = (index: number, on: boolean): void => {
    const next = new Set(off);
    if (on) {
      next.delete(index);
    } else {
      next.add(index);
    }
    onDeselected([...next].sort((a, b) => a - b));
  };
  return (
    <details className="jp-OrchestJobs-combinations">
      <summary>
        {trans._n('%1 combination', '%1 combinations', preview.grid_size)}
        {off.size ? ` · ${trans._n('%1 deselected', '%1 deselected', off.size)}` : ''}
      </summary>
      <ul>
        {preview.combinations.map(combination => (
          <li key={combination.index} data-combination={combination.index}>
            <label>
              <input
                type="checkbox"
                checked={!off.has(combination.index)}
                onChange={e => toggle(combination.index, e.target.checked)}
              />
              <span className="jp-OrchestJobs-index">{combination.index}</span>
              <span className="jp-OrchestJobs-params">{describeParameters(combination.parameters, titles)}</span>
            </label>
          </li>
        ))}
      </ul>
    </details>
  );
}

/**
 * The grid editor.
 */
export function GridEditor(props: IGridEditorProps): JSX.Element {
  const { trans, axes, titles, problems, unreadable, runs, preview } = props;
  const owners = [...new Set(axes.map(axis => axis.owner))];
  const change = (index: number, axis: IAxis): void =>
    props.onAxes(axes.map((a, i) => (i === index ? axis : a)));
  return (
    <div className="jp-OrchestJobs-grid">
      <div className="jp-OrchestJobs-runCount" data-runs={runs ?? ''}>
        {runs === null ? trans.__('The grid is refused') : trans._n('%1 run', '%1 runs', runs)}
      </div>
      <Problems messages={problems?.general} />
      {!axes.length ? (
        <div className="jp-OrchestJobs-hint">
          {trans.__('The pipeline has no parameters: the job runs it once per fire.')}
        </div>
      ) : null}
      {[...(problems?.byOwner.keys() ?? [])]
        .filter(owner => !owners.includes(owner))
        .map(owner => (
          <Problems key={owner} messages={problems?.byOwner.get(owner)} />
        ))}
      {owners.map(owner => (
        <fieldset key={owner} className="jp-OrchestJobs-owner" data-owner={owner}>
          <legend>
            {owner === PIPELINE_KEY
              ? trans.__('Pipeline: %1', titles.get(owner) ?? '')
              : trans.__('Step: %1', titles.get(owner) ?? owner)}
          </legend>
          <Problems messages={problems?.byOwner.get(owner)} />
          {axes.map((axis, index) => {
            if (axis.owner !== owner) {
              return null;
            }
            const key = parameterKey(axis.owner, axis.name);
            const messages = [
              ...(unreadable.has(key) ? [trans.__('Not JSON: %1', unreadable.get(key)!)] : []),
              ...(problems?.byParameter.get(key) ?? [])
            ];
            return (
              <AxisEditor
                key={key}
                trans={trans}
                axis={axis}
                problems={messages}
                schema={propertySchema(props.schemas?.get(axis.owner)?.schema, axis.name)}
                onChange={next => change(index, next)}
              />
            );
          })}
        </fieldset>
      ))}
      {preview && preview.grid_size > 1 ? <Combinations {...props} preview={preview} /> : null}
    </div>
  );
}
