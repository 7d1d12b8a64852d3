/**
 * The step node of the pipeline canvas.
 */

import { Handle, Node, NodeProps, Position } from '@xyflow/react';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { StepState } from '../api';
import type { PipelineController } from './controller';
import { stepStateLabel } from '../status';
import { durationSeconds, formatDuration } from './runstate';

/**
 * What a step node shows; only primitive values, so that nodes whose data did
 * not change can be kept as they are (see `sameData`).
 */
export interface IStepNodeData extends Record<string, unknown> {
  title: string;
  fileName: string;
  filePath: string;
  environment: string;
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
 * The controller, for step nodes to follow their run state themselves: state
 * updates then re-render only the nodes whose state changed, and never
 * touch xyflow's nodes.
 */
export const ControllerContext = React.createContext<PipelineController | null>(null);

/**
 * A clock shared by the nodes of running steps: one timer for all.
 */
const ticker = {
  listeners: new Set<() => void>(),
  timer: 0,
  subscribe(listener: () => void): () => void {
    ticker.listeners.add(listener);
    if (!ticker.timer) {
      ticker.timer = window.setInterval(() => ticker.listeners.forEach(l => l()), 1000);
    }
    return () => {
      ticker.listeners.delete(listener);
      if (!ticker.listeners.size) {
        window.clearInterval(ticker.timer);
        ticker.timer = 0;
      }
    };
  }
};

function useTick(active: boolean): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => (active ? ticker.subscribe(() => setTick(t => t + 1)) : undefined), [active]);
}

interface IRunView {
  state: StepState;
  started: string | null;
  finished: string | null;
  error: string | null;
  /** Not run: its output was taken from this run's (the step cache). */
  cachedFrom: string | null;
}

/**
 * A step's state in the run shown (READY when it is not part of it).
 */
function useStepRun(controller: PipelineController, uuid: string): IRunView {
  const read = (): string => {
    const step = controller.runs.step(uuid);
    return step
      ? JSON.stringify([step.state, step.started, step.finished, step.error, step.cached_from ?? null])
      : '';
  };
  const key = React.useSyncExternalStore(
    React.useCallback(
      (notify: () => void) => {
        controller.frameChanged.connect(notify);
        return () => {
          controller.frameChanged.disconnect(notify);
        };
      },
      [controller]
    ),
    read
  );
  return React.useMemo(() => {
    if (!key) {
      return { state: 'READY', started: null, finished: null, error: null, cachedFrom: null };
    }
    const [state, started, finished, error, cachedFrom] = JSON.parse(key);
    return { state, started, finished, error, cachedFrom };
  }, [key]);
}

function StepNodeComponent({ id, data, selected }: NodeProps<StepNodeType>): JSX.Element {
  const trans = React.useContext(TransContext)!;
  const controller = React.useContext(ControllerContext)!;
  const run = useStepRun(controller, id);
  useTick(run.state === 'RUNNING');
  const classes = ['jp-OrchestStep', `jp-OrchestStep-state-${run.state.toLowerCase()}`];
  if (selected) {
    classes.push('jp-mod-selected');
  }
  if (data.errorCount) {
    classes.push('jp-mod-error');
  } else if (data.warningCount) {
    classes.push('jp-mod-warning');
  }
  const duration = formatDuration(durationSeconds(run.started, run.finished));
  const cached = run.cachedFrom ? trans.__('Cached: not run, its output is from run %1', run.cachedFrom) : '';
  if (cached) {
    classes.push('jp-mod-cached');
  }
  const tooltip = [data.filePath, cached, run.error, data.problemText].filter(Boolean).join('\n');
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
        <span className="jp-OrchestStep-state" data-state={run.state}>
          {stepStateLabel(trans, run.state)}
          {duration && !cached ? <span className="jp-OrchestStep-duration"> · {duration}</span> : null}
          {cached ? (
            <span className="jp-OrchestStep-cached" title={cached} data-cached-from={run.cachedFrom}>
              {' · '}
              {trans.__('cached')}
            </span>
          ) : null}
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
