/**
 * The step node of the pipeline canvas.
 */

import { Handle, Node, NodeProps, Position } from '@xyflow/react';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { StepState } from '../api';
import { formatDuration } from './runstate';

/**
 * What a step node shows; only primitive values, so that nodes whose data did
 * not change can be kept as they are (see `sameData`).
 */
export interface IStepNodeData extends Record<string, unknown> {
  title: string;
  fileName: string;
  filePath: string;
  environment: string;
  /** The state in the run shown; READY when the step is not part of it. */
  state: StepState;
  /** Duration in seconds, or null. */
  duration: number | null;
  error: string | null;
  errorCount: number;
  warningCount: number;
  problemText: string;
  readOnly: boolean;
}

export type StepNodeType = Node<IStepNodeData, 'step'>;

/**
 * Whether two node data are equal (every field is primitive).
 */
export function sameData(a: IStepNodeData, b: IStepNodeData): boolean {
  for (const key of Object.keys(a)) {
    if (a[key] !== b[key]) {
      return false;
    }
  }
  return Object.keys(a).length === Object.keys(b).length;
}

/**
 * The translator, for components that xyflow creates.
 */
export const TransContext = React.createContext<TranslationBundle | null>(null);

/**
 * Translated state names.
 */
export function stateLabel(trans: TranslationBundle, state: StepState): string {
  switch (state) {
    case 'READY':
      return trans.__('Ready');
    case 'PENDING':
      return trans.__('Pending');
    case 'RUNNING':
      return trans.__('Running');
    case 'COMPUTED':
      return trans.__('Completed');
    case 'ABORTED':
      return trans.__('Aborted');
    case 'FAILURE':
      return trans.__('Failed');
  }
  return state;
}

function StepNodeComponent({ data, selected }: NodeProps<StepNodeType>): JSX.Element {
  const trans = React.useContext(TransContext)!;
  const classes = ['jp-OrchestStep', `jp-OrchestStep-state-${data.state.toLowerCase()}`];
  if (selected) {
    classes.push('jp-mod-selected');
  }
  if (data.errorCount) {
    classes.push('jp-mod-error');
  } else if (data.warningCount) {
    classes.push('jp-mod-warning');
  }
  const duration = formatDuration(data.duration);
  const tooltip = [data.filePath, data.error, data.problemText].filter(Boolean).join('\n');
  return (
    <div className={classes.join(' ')} title={tooltip} data-step-title={data.title}>
      <Handle
        type="target"
        position={Position.Left}
        className="jp-OrchestStep-handle"
        isConnectable={!data.readOnly}
      />
      <div className="jp-OrchestStep-title">{data.title || trans.__('(untitled)')}</div>
      <div className="jp-OrchestStep-file">{data.fileName || trans.__('no file')}</div>
      <div className="jp-OrchestStep-footer">
        <span className="jp-OrchestStep-state" data-state={data.state}>
          {stateLabel(trans, data.state)}
          {duration ? <span className="jp-OrchestStep-duration"> · {duration}</span> : null}
        </span>
        {data.errorCount || data.warningCount ? (
          <span
            className={`jp-OrchestStep-problems ${data.errorCount ? 'jp-mod-error' : 'jp-mod-warning'}`}
            title={data.problemText}
          >
            {data.errorCount
              ? trans._n('%1 error', '%1 errors', data.errorCount)
              : trans._n('%1 warning', '%1 warnings', data.warningCount)}
          </span>
        ) : null}
      </div>
      <Handle
        type="source"
        position={Position.Right}
        className="jp-OrchestStep-handle"
        isConnectable={!data.readOnly}
      />
    </div>
  );
}

export const StepNode = React.memo(StepNodeComponent);

export const nodeTypes = { step: StepNode };
