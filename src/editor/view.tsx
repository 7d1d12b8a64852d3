/**
 * The React view of the pipeline editor: the canvas (@xyflow/react), the
 * properties panel, the log panel, the run status and the problems.
 */

import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  Controls,
  Edge,
  EdgeChange,
  FinalConnectionState,
  MarkerType,
  MiniMap,
  NodeChange,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow
} from '@xyflow/react';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { PathExt } from '@jupyterlab/coreutils';
import { isObject, IStepView, JSONObject, parse, stringify } from '../model';
import { edgeId, isStepFile, PipelineEditorController } from './controller';

/** What the file browser's drags carry: the dragged paths. */
const CONTENTS_MIME = 'application/x-jupyter-icontents';
import {
  ControllerContext,
  IStepNodeData,
  nodeTypes,
  sameData,
  stateLabel,
  StepNodeType,
  TransContext
} from './nodes';
import { durationSeconds, formatDuration, isRunFinished } from './runstate';
import { NODE_HEIGHT, NODE_WIDTH } from './layout';

/**
 * Re-render on controller changes, at most once per animation frame (so
 * hundreds of state events arriving at once cost one render).
 */
function useController(controller: PipelineEditorController): number {
  const [version, setVersion] = React.useState(controller.version);
  React.useEffect(() => {
    const onChange = (): void => setVersion(controller.version);
    controller.frameChanged.connect(onChange);
    return () => {
      controller.frameChanged.disconnect(onChange);
    };
  }, [controller]);
  return version;
}

/**
 * A clock that ticks every second while `active`.
 */
function useNow(active: boolean): number {
  const [now, setNow] = React.useState(Date.now());
  React.useEffect(() => {
    if (!active) {
      return;
    }
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [active]);
  return active ? now : Date.now();
}

/**
 * The whole editor.
 */
export function PipelineEditorView(props: {
  controller: PipelineEditorController;
  trans: TranslationBundle;
}): JSX.Element {
  const { controller, trans } = props;
  useController(controller);
  if (controller.formatError !== null) {
    return (
      <div className="jp-OrchestEditor jp-OrchestEditor-broken">
        <div className="jp-OrchestEditor-formatError">
          <h3>{trans.__('This file cannot be shown as a pipeline')}</h3>
          <p>{controller.formatError}</p>
          <p>{trans.__('Fix it in the text editor (right-click the file, Open With, Editor).')}</p>
        </div>
      </div>
    );
  }
  if (!controller.model) {
    return <div className="jp-OrchestEditor jp-OrchestEditor-loading">{trans.__('Loading…')}</div>;
  }
  return (
    <TransContext.Provider value={trans}>
      <ControllerContext.Provider value={controller}>
      <div className="jp-OrchestEditor">
        <div className="jp-OrchestEditor-main">
          <ReactFlowProvider>
            <Canvas controller={controller} trans={trans} />
          </ReactFlowProvider>
          {controller.propertiesOpen ? <PropertiesPanel controller={controller} trans={trans} /> : null}
        </div>
        {controller.logOpen ? <LogPanel controller={controller} trans={trans} /> : null}
      </div>
      </ControllerContext.Provider>
    </TransContext.Provider>
  );
}

function nodeData(controller: PipelineEditorController, step: IStepView): IStepNodeData {
  const problems = controller.problemsByStep.get(step.uuid) ?? [];
  return {
    title: step.title,
    fileName: PathExt.basename(step.filePath),
    filePath: step.filePath,
    environment: step.environment,
    errorCount: problems.filter(p => p.severity === 'error').length,
    warningCount: problems.filter(p => p.severity === 'warning').length,
    problemText: problems.map(p => p.message).join('\n'),
    readOnly: controller.readOnly
  };
}

/**
 * The canvas: steps and connections.
 */
function Canvas(props: { controller: PipelineEditorController; trans: TranslationBundle }): JSX.Element {
  const { controller, trans } = props;
  const version = useController(controller);
  const flow = useReactFlow();
  const model = controller.model!;
  const [nodes, setNodes] = React.useState<StepNodeType[]>([]);
  const [edges, setEdges] = React.useState<Edge[]>([]);
  const dragging = React.useRef(false);

  // Reconcile the nodes with the model, keeping unchanged node objects (and
  // what xyflow measured) so that only changed steps render again.
  React.useEffect(() => {
    if (dragging.current) {
      return;
    }
    setNodes(previous => {
      const byId = new Map(previous.map(n => [n.id, n]));
      let changed = previous.length !== model.steps.length;
      const next = model.steps.map((step, i) => {
        const old = byId.get(step.uuid);
        const [x, y] = controller.positionOf(step);
        const data = nodeData(controller, step);
        const selected = controller.selection.has(step.uuid);
        if (
          old &&
          old.position.x === x &&
          old.position.y === y &&
          old.selected === selected &&
          sameData(old.data, data)
        ) {
          changed ||= previous[i] !== old;
          return old;
        }
        changed = true;
        return {
          ...(old ?? {}),
          id: step.uuid,
          type: 'step' as const,
          position: { x, y },
          data: old && sameData(old.data, data) ? old.data : data,
          selected,
          width: NODE_WIDTH,
          height: NODE_HEIGHT,
          draggable: !controller.readOnly,
          connectable: !controller.readOnly,
          deletable: false
        };
      });
      return changed ? next : previous;
    });
    setEdges(previous => {
      const byId = new Map(previous.map(e => [e.id, e]));
      const next: Edge[] = [];
      for (const step of model.steps) {
        for (const source of step.incoming) {
          if (!model.has(source)) {
            continue;
          }
          const id = edgeId(source, step.uuid);
          const selected = controller.selectedEdges.has(id);
          const old = byId.get(id);
          if (old && old.selected === selected) {
            next.push(old);
          } else {
            next.push({
              id,
              source,
              target: step.uuid,
              selected,
              deletable: false,
              markerEnd: { type: MarkerType.ArrowClosed },
              className: 'jp-OrchestEdge'
            });
          }
        }
      }
      const same = next.length === previous.length && next.every((e, i) => e === previous[i]);
      return same ? previous : next;
    });
  }, [version, controller, model]);

  // Fit the view on request (auto-layout, the fit command).
  React.useEffect(() => {
    const fit = (): void => {
      requestAnimationFrame(() => void flow.fitView({ padding: 0.2, maxZoom: 1, duration: 200 }));
    };
    controller.fitRequested.connect(fit);
    return () => {
      controller.fitRequested.disconnect(fit);
    };
  }, [controller, flow]);

  const onNodesChange = React.useCallback(
    (changes: NodeChange<StepNodeType>[]) => {
      setNodes(current => {
        const next = applyNodeChanges(changes, current);
        if (changes.some(c => c.type === 'select')) {
          controller.setSelection(
            next.filter(n => n.selected).map(n => n.id),
            controller.selectedEdges
          );
        }
        return next;
      });
    },
    [controller]
  );

  const onEdgesChange = React.useCallback(
    (changes: EdgeChange[]) => {
      setEdges(current => {
        const next = applyEdgeChanges(changes, current);
        if (changes.some(c => c.type === 'select')) {
          controller.setSelection(
            controller.selection,
            next.filter(e => e.selected).map(e => e.id)
          );
        }
        return next;
      });
    },
    [controller]
  );

  const onNodeDragStart = React.useCallback(() => {
    dragging.current = true;
  }, []);

  const onNodeDragStop = React.useCallback(
    (_: unknown, __: StepNodeType, dragged: StepNodeType[]) => {
      dragging.current = false;
      controller.moveSteps(
        new Map(dragged.map(n => [n.id, [n.position.x, n.position.y] as [number, number]]))
      );
    },
    [controller]
  );

  const isValidConnection = React.useCallback(
    (connection: { source: string; target: string }) =>
      !controller.readOnly && !controller.model?.checkConnection(connection.source, connection.target),
    [controller]
  );

  const onConnect = React.useCallback(
    (connection: { source: string; target: string }) => {
      controller.connect(connection.source, connection.target);
    },
    [controller]
  );

  // A connection dropped on a step's body (not on a handle), or refused:
  // connect when possible, else say why.
  const onConnectEnd = React.useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (!state.fromNode || state.isValid) {
        return; // nothing started, or onConnect made it
      }
      let to = state.toNode?.id;
      if (!to) {
        const point = 'changedTouches' in event ? event.changedTouches[0] : event;
        const element = document.elementFromPoint(point.clientX, point.clientY);
        to = element?.closest('.react-flow__node')?.getAttribute('data-id') ?? undefined;
      }
      if (!to) {
        return; // dropped on the empty canvas
      }
      const from = state.fromNode.id;
      const [source, target] = state.fromHandle?.type === 'target' ? [to, from] : [from, to];
      controller.connect(source, target);
    },
    [controller]
  );

  // A right-click selects the step first, so that the context menu (which
  // JupyterLab opens next) acts on it.
  const onNodeContextMenu = React.useCallback(
    (_: React.MouseEvent, node: StepNodeType) => {
      if (!controller.selection.has(node.id)) {
        controller.setSelection([node.id]);
      }
    },
    [controller]
  );

  const onNodeDoubleClick = React.useCallback(
    (_: React.MouseEvent, node: StepNodeType) => void controller.openStepFile(node.id),
    [controller]
  );

  // Notebooks and scripts dragged from the file browser become steps.
  const container = React.useRef<HTMLDivElement>(null);
  React.useEffect(() => {
    const node = container.current;
    if (!node) {
      return;
    }
    const paths = (event: any): string[] => {
      const data = event.mimeData?.getData?.(CONTENTS_MIME);
      const list: unknown[] = Array.isArray(data) ? data : typeof data === 'string' ? [data] : [];
      return list.filter((p): p is string => typeof p === 'string' && isStepFile(p));
    };
    const onDragEnterOver = (event: any): void => {
      if (controller.readOnly || !paths(event).length) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      if (event.type === 'lm-dragover') {
        // The file browser offers to "move" only: nothing moves, a step is made.
        event.dropAction = event.proposedAction;
      }
      node.classList.add('jp-mod-dropTarget');
    };
    const onDragLeave = (): void => node.classList.remove('jp-mod-dropTarget');
    const onDrop = (event: any): void => {
      node.classList.remove('jp-mod-dropTarget');
      const files = paths(event);
      if (controller.readOnly || !files.length) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      event.dropAction = event.proposedAction;
      const at = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      void controller.addStepsForFiles(files, [at.x - NODE_WIDTH / 2, at.y - NODE_HEIGHT / 2]);
    };
    node.addEventListener('lm-dragenter', onDragEnterOver);
    node.addEventListener('lm-dragover', onDragEnterOver);
    node.addEventListener('lm-dragleave', onDragLeave);
    node.addEventListener('lm-drop', onDrop);
    return () => {
      node.removeEventListener('lm-dragenter', onDragEnterOver);
      node.removeEventListener('lm-dragover', onDragEnterOver);
      node.removeEventListener('lm-dragleave', onDragLeave);
      node.removeEventListener('lm-drop', onDrop);
    };
  }, [controller, flow]);

  const settings = controller.services.settings();
  return (
    <div
      ref={container}
      className="jp-OrchestEditor-canvas"
      tabIndex={-1}
      onMouseDown={event => (event.currentTarget as HTMLElement).focus({ preventScroll: true })}
    >
      <ReactFlow<StepNodeType, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStart={onNodeDragStart}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onNodeDoubleClick={onNodeDoubleClick}
        onNodeContextMenu={onNodeContextMenu}
        nodesDraggable={!controller.readOnly}
        nodesFocusable={false}
        edgesFocusable={false}
        nodesConnectable={!controller.readOnly}
        deleteKeyCode={null}
        zoomOnDoubleClick={false}
        connectionRadius={40}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
        minZoom={0.1}
        maxZoom={2}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
        {settings.showMinimap ? <MiniMap pannable zoomable className="jp-OrchestEditor-minimap" /> : null}
        <Panel position="top-left">
          <RunStatus controller={controller} trans={trans} />
        </Panel>
        {controller.pinnedRun && controller.runs.run ? (
          <Panel position="top-center" className="jp-OrchestEditor-readOnly">
            <span>
              {trans.__(
                'Read-only: the run of %1.',
                new Date(controller.runs.run.created).toLocaleString()
              )}
            </span>
            <button
              className="jp-mod-styled jp-mod-accept jp-OrchestEditor-backToEditing"
              onClick={() => void controller.showLatestRun()}
            >
              {trans.__('Back to editing')}
            </button>
          </Panel>
        ) : null}
        {model.steps.length === 0 ? (
          <Panel position="top-center" className="jp-OrchestEditor-empty">
            {trans.__('This pipeline has no steps yet: add one with the toolbar’s + button.')}
          </Panel>
        ) : null}
      </ReactFlow>
      <Banner controller={controller} trans={trans} />
      <ProblemsBar controller={controller} trans={trans} />
    </div>
  );
}

/**
 * The run shown: status, progress, duration.
 */
function RunStatus(props: {
  controller: PipelineEditorController;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { controller, trans } = props;
  const now = useNow(controller.isRunning);
  const run = controller.runs.run;
  if (controller.starting) {
    return <div className="jp-OrchestRunStatus">{trans.__('Starting run…')}</div>;
  }
  if (!run) {
    return null;
  }
  const steps = Object.values(run.steps);
  const done = steps.filter(s => s.state === 'COMPUTED').length;
  const finished = isRunFinished(run);
  const seconds = durationSeconds(run.started ?? run.created, run.finished, now);
  const status =
    run.status === 'SUCCESS'
      ? trans.__('Succeeded')
      : run.status === 'FAILURE'
        ? trans.__('Failed')
        : run.status === 'ABORTED'
          ? trans.__('Cancelled')
          : run.status === 'PENDING'
            ? trans.__('Pending')
            : trans.__('Running');
  return (
    <div className="jp-OrchestRunStatus" data-status={run.status} title={run.error ?? ''}>
      <span className={`jp-OrchestRunStatus-dot jp-mod-${run.status.toLowerCase()}`} />
      {finished ? trans.__('Last run: %1', status) : status}
      {' · '}
      {trans.__('%1 of %2 steps completed', done, steps.length)}
      {seconds !== null ? ` · ${formatDuration(seconds)}` : ''}
    </div>
  );
}

/**
 * A message over the canvas.
 */
function Banner(props: { controller: PipelineEditorController; trans: TranslationBundle }): JSX.Element | null {
  const { controller, trans } = props;
  const banner = controller.banner;
  if (!banner) {
    return null;
  }
  return (
    <div className={`jp-OrchestEditor-message jp-mod-${banner.kind}`} role="alert" key={banner.id}>
      <span>{banner.text}</span>
      <button
        className="jp-OrchestEditor-messageClose"
        title={trans.__('Dismiss')}
        onClick={() => controller.dismissBanner()}
      >
        ×
      </button>
    </div>
  );
}

/**
 * The validation problems that concern the pipeline, and a count of all.
 */
function ProblemsBar(props: {
  controller: PipelineEditorController;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { controller, trans } = props;
  const [open, setOpen] = React.useState(false);
  const report = controller.report;
  if (!report || !report.problems.length) {
    return null;
  }
  const summary = [
    report.error_count ? trans._n('%1 error', '%1 errors', report.error_count) : '',
    report.warning_count ? trans._n('%1 warning', '%1 warnings', report.warning_count) : ''
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <div className={`jp-OrchestProblems ${report.error_count ? 'jp-mod-error' : 'jp-mod-warning'}`}>
      <button className="jp-OrchestProblems-summary" onClick={() => setOpen(!open)}>
        {open ? '▾ ' : '▸ '}
        {summary}
      </button>
      {open ? (
        <ul className="jp-OrchestProblems-list">
          {report.problems.map((p, i) => (
            <li
              key={i}
              className={`jp-mod-${p.severity}`}
              onClick={() => p.step_uuid && controller.setSelection([p.step_uuid])}
            >
              {p.step_title ? <b>{p.step_title}: </b> : null}
              {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The log panel shows at most this many (last) lines. */
const MAX_LOG_LINES = 5000;

/**
 * The log of the selected step in the run shown, streaming.
 */
function LogPanel(props: { controller: PipelineEditorController; trans: TranslationBundle }): JSX.Element {
  const { controller, trans } = props;
  const log = controller.log;
  const pre = React.useRef<HTMLPreElement>(null);
  const stick = React.useRef(true);
  const lineCount = log?.lines.length ?? 0;
  React.useLayoutEffect(() => {
    if (pre.current && stick.current) {
      pre.current.scrollTop = pre.current.scrollHeight;
    }
  }, [lineCount, log?.stepUuid]);
  const step = log ? controller.model?.step(log.stepUuid) : undefined;
  const runStep = log ? controller.runs.step(log.stepUuid) : undefined;
  let body: string;
  if (!log) {
    body = controller.runs.run
      ? trans.__('Select a step to see its log.')
      : trans.__('No run yet: run the pipeline to see the logs of its steps.');
  } else if (log.loading) {
    body = trans.__('Loading the log…');
  } else if (log.error) {
    body = log.error;
  } else if (!runStep) {
    body = trans.__('This step was not part of the last run.');
  } else if (!log.lines.length) {
    body = runStep.state === 'PENDING' ? trans.__('The step has not started yet.') : '';
  } else if (log.lines.length > MAX_LOG_LINES) {
    // Long logs: the end, which is what a running step adds to.
    body =
      trans.__('… %1 earlier lines not shown', log.lines.length - MAX_LOG_LINES) +
      '\n' +
      log.lines.slice(-MAX_LOG_LINES).join('\n');
  } else {
    body = log.lines.join('\n');
  }
  return (
    <div className="jp-OrchestLog">
      <div className="jp-OrchestLog-header">
        <span className="jp-OrchestLog-title">
          {step ? trans.__('Log of “%1”', step.title || step.filePath) : trans.__('Log')}
        </span>
        {runStep ? (
          <span className="jp-OrchestStep-state" data-state={runStep.state}>
            {stateLabel(trans, runStep.state)}
          </span>
        ) : null}
        <button
          className="jp-OrchestLog-close"
          title={trans.__('Close the log')}
          onClick={() => controller.toggleLog(false)}
        >
          ×
        </button>
      </div>
      <pre
        ref={pre}
        className="jp-OrchestLog-text"
        onScroll={event => {
          const el = event.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 20;
        }}
      >
        {body}
      </pre>
    </div>
  );
}

/**
 * A text field that commits on Enter or when it loses focus.
 */
function Field(props: {
  label: string;
  value: string;
  disabled?: boolean;
  onCommit: (value: string) => void;
  name: string;
}): JSX.Element {
  const [value, setValue] = React.useState(props.value);
  React.useEffect(() => setValue(props.value), [props.value]);
  const commit = (): void => {
    if (value !== props.value) {
      props.onCommit(value);
    }
  };
  return (
    <label className="jp-OrchestProps-field">
      <span>{props.label}</span>
      <input
        className="jp-mod-styled"
        name={props.name}
        value={value}
        disabled={props.disabled}
        onChange={e => setValue(e.target.value)}
        onBlur={commit}
        onKeyDown={e => {
          if (e.key === 'Enter') {
            commit();
          } else if (e.key === 'Escape') {
            setValue(props.value);
          }
        }}
      />
    </label>
  );
}

/**
 * A JSON object editor that refuses invalid JSON.
 */
function JSONField(props: {
  label: string;
  value: JSONObject;
  disabled?: boolean;
  onCommit: (value: JSONObject) => void;
  trans: TranslationBundle;
  name: string;
}): JSX.Element {
  const { trans } = props;
  const text = React.useMemo(
    () => stringify(props.value, { indent: 2, ensureAscii: false, sortKeys: false }),
    [props.value]
  );
  const [value, setValue] = React.useState(text);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    setValue(text);
    setError(null);
  }, [text]);
  const check = (input: string): JSONObject | null => {
    try {
      const parsed = parse(input);
      if (!isObject(parsed)) {
        setError(trans.__('Parameters must be a JSON object: {"name": value, …}.'));
        return null;
      }
      setError(null);
      return parsed;
    } catch (e) {
      setError(trans.__('Not valid JSON: %1', (e as Error).message));
      return null;
    }
  };
  const commit = (): void => {
    if (value === text) {
      setError(null);
      return;
    }
    const parsed = check(value);
    if (parsed) {
      props.onCommit(parsed);
    }
  };
  return (
    <label className="jp-OrchestProps-field">
      <span>{props.label}</span>
      <textarea
        className={`jp-mod-styled jp-OrchestProps-json ${error ? 'jp-mod-invalid' : ''}`}
        name={props.name}
        value={value}
        rows={Math.min(12, Math.max(3, value.split('\n').length))}
        spellCheck={false}
        disabled={props.disabled}
        onChange={e => {
          setValue(e.target.value);
          check(e.target.value);
        }}
        onBlur={commit}
      />
      {error ? <span className="jp-OrchestProps-error">{error}</span> : null}
    </label>
  );
}

/**
 * Rows for the parameters with simple values (text, numbers, booleans):
 * edit in place keeping the value's type, remove, or add a parameter.
 */
function ParameterRows(props: {
  value: JSONObject;
  disabled?: boolean;
  onCommit: (value: JSONObject) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { value, disabled, onCommit, trans } = props;
  const [name, setName] = React.useState('');
  const [text, setText] = React.useState('');
  const set = (key: string, v: JSONObject[string] | undefined): void => {
    const next: JSONObject = {};
    for (const k of Object.keys(value)) {
      if (k !== key) {
        next[k] = value[k];
      } else if (v !== undefined) {
        next[k] = v;
      }
    }
    if (v !== undefined && !(key in value)) {
      next[key] = v;
    }
    onCommit(next);
  };
  // Typed text becomes JSON when it reads as JSON (3, true, "x", [1]), else text.
  const asValue = (input: string): JSONObject[string] => {
    try {
      return parse(input);
    } catch {
      return input;
    }
  };
  const simple = Object.entries(value).filter(
    ([, v]) => v === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof v)
  );
  return (
    <div className="jp-OrchestParams">
      {simple.map(([key, v]) => (
        <div className="jp-OrchestParams-row" key={key}>
          <span className="jp-OrchestParams-name" title={key}>
            {key}
          </span>
          {typeof v === 'boolean' ? (
            <input
              type="checkbox"
              name={`param-${key}`}
              checked={v}
              disabled={disabled}
              onChange={e => set(key, e.target.checked)}
            />
          ) : (
            <ParamInput
              name={`param-${key}`}
              value={v === null ? 'null' : String(v)}
              disabled={disabled}
              onCommit={input => {
                if (typeof v === 'string') {
                  set(key, input);
                } else {
                  const parsed = asValue(input);
                  set(key, parsed);
                }
              }}
            />
          )}
          <button
            className="jp-OrchestParams-remove"
            title={trans.__('Remove the parameter “%1”', key)}
            disabled={disabled}
            onClick={() => set(key, undefined)}
          >
            ×
          </button>
        </div>
      ))}
      <div className="jp-OrchestParams-row jp-OrchestParams-new">
        <input
          className="jp-mod-styled"
          name="new-param-name"
          placeholder={trans.__('name')}
          value={name}
          disabled={disabled}
          onChange={e => setName(e.target.value)}
        />
        <input
          className="jp-mod-styled"
          name="new-param-value"
          placeholder={trans.__('value')}
          value={text}
          disabled={disabled}
          onChange={e => setText(e.target.value)}
          onKeyDown={e => {
            if (e.key === 'Enter' && name.trim()) {
              set(name.trim(), asValue(text));
              setName('');
              setText('');
            }
          }}
        />
        <button
          className="jp-OrchestParams-add"
          title={trans.__('Add the parameter')}
          disabled={disabled || !name.trim()}
          onClick={() => {
            set(name.trim(), asValue(text));
            setName('');
            setText('');
          }}
        >
          +
        </button>
      </div>
    </div>
  );
}

function ParamInput(props: {
  name: string;
  value: string;
  disabled?: boolean;
  onCommit: (value: string) => void;
}): JSX.Element {
  const [value, setValue] = React.useState(props.value);
  React.useEffect(() => setValue(props.value), [props.value]);
  const commit = (): void => {
    if (value !== props.value) {
      props.onCommit(value);
    }
  };
  return (
    <input
      className="jp-mod-styled"
      name={props.name}
      value={value}
      disabled={props.disabled}
      onChange={e => setValue(e.target.value)}
      onBlur={commit}
      onKeyDown={e => e.key === 'Enter' && commit()}
    />
  );
}

/**
 * The properties of the selected step, or of the pipeline.
 */
function PropertiesPanel(props: {
  controller: PipelineEditorController;
  trans: TranslationBundle;
}): JSX.Element {
  const { controller, trans } = props;
  const model = controller.model!;
  const disabled = controller.readOnly;
  const selected = controller.selectedSteps;
  let content: JSX.Element;
  if (selected.length === 1) {
    const step = selected[0];
    const runStep = controller.runs.step(step.uuid);
    const problems = controller.problemsByStep.get(step.uuid) ?? [];
    content = (
      <>
        <h3 className="jp-OrchestProps-heading">{trans.__('Step')}</h3>
        <Field
          name="title"
          label={trans.__('Title')}
          value={step.title}
          disabled={disabled}
          onCommit={title => model.updateStep(step.uuid, { title }, 'Rename step')}
        />
        <Field
          name="file_path"
          label={trans.__('File (relative to the pipeline)')}
          value={step.filePath}
          disabled={disabled}
          onCommit={file_path => model.updateStep(step.uuid, { file_path }, 'Change file')}
        />
        <div className="jp-OrchestProps-actions">
          {controller.services.pickFile ? (
            <button
              className="jp-mod-styled jp-mod-reject jp-OrchestProps-choose"
              disabled={disabled}
              onClick={() => void controller.chooseStepFile(step.uuid)}
            >
              {trans.__('Choose…')}
            </button>
          ) : null}
          <button
            className="jp-mod-styled jp-mod-reject"
            disabled={!step.filePath}
            onClick={() => void controller.openStepFile(step.uuid)}
          >
            {trans.__('Open')}
          </button>
          <button className="jp-mod-styled jp-mod-reject" onClick={() => controller.toggleLog(true)}>
            {trans.__('Log')}
          </button>
        </div>
        {controller.environments ? (
          <label className="jp-OrchestProps-field">
            <span>{trans.__('Environment')}</span>
            <select
              className="jp-mod-styled"
              name="environment"
              value={step.environment}
              disabled={disabled}
              onChange={e => model.updateStep(step.uuid, { environment: e.target.value }, 'Change environment')}
            >
              {controller.environments.some(e => e.uuid === step.environment) ? null : (
                <option value={step.environment}>
                  {trans.__('Not defined in this project (%1)', step.environment || '—')}
                </option>
              )}
              {controller.environments.map(e => (
                <option key={e.uuid} value={e.uuid}>
                  {e.name} ({e.language})
                </option>
              ))}
            </select>
          </label>
        ) : (
          <Field
            name="environment"
            label={trans.__('Environment (uuid)')}
            value={step.environment}
            disabled={disabled}
            onCommit={environment => model.updateStep(step.uuid, { environment }, 'Change environment')}
          />
        )}
        <div className="jp-OrchestProps-field">
          <span>{trans.__('Parameters')}</span>
          <ParameterRows
            value={step.parameters}
            disabled={disabled}
            trans={trans}
            onCommit={parameters => model.updateStep(step.uuid, { parameters }, 'Edit parameters')}
          />
        </div>
        <JSONField
          name="parameters"
          label={trans.__('Parameters (JSON)')}
          value={step.parameters}
          disabled={disabled}
          trans={trans}
          onCommit={parameters => model.updateStep(step.uuid, { parameters }, 'Edit parameters')}
        />
        {runStep ? (
          <div className="jp-OrchestProps-run">
            {trans.__('Last run: %1', stateLabel(trans, runStep.state))}
            {runStep.error ? <div className="jp-OrchestProps-error">{runStep.error}</div> : null}
          </div>
        ) : null}
        {problems.length ? (
          <ul className="jp-OrchestProps-problems">
            {problems.map((p, i) => (
              <li key={i} className={`jp-mod-${p.severity}`}>
                {p.message}
              </li>
            ))}
          </ul>
        ) : null}
        <div className="jp-OrchestProps-uuid">{step.uuid}</div>
      </>
    );
  } else if (selected.length > 1) {
    content = (
      <>
        <h3 className="jp-OrchestProps-heading">{trans.__('%1 steps selected', selected.length)}</h3>
        <p>{trans.__('Run them with “Run selected”, or their incoming steps with “Run incoming”.')}</p>
      </>
    );
  } else {
    const doc = model.document;
    const settings = isObject(doc.settings) ? doc.settings : {};
    const parameters = isObject(doc.parameters) ? doc.parameters : {};
    const setSetting = (key: string, value: JSONObject[string]): void =>
      model.updatePipeline({ settings: { ...settings, [key]: value } }, 'Edit settings');
    content = (
      <>
        <h3 className="jp-OrchestProps-heading">{trans.__('Pipeline')}</h3>
        <Field
          name="name"
          label={trans.__('Name')}
          value={model.name}
          disabled={disabled}
          onCommit={name => model.updatePipeline({ name }, 'Rename pipeline')}
        />
        <label className="jp-OrchestProps-check">
          <input
            type="checkbox"
            name="auto_eviction"
            checked={settings.auto_eviction === true}
            disabled={disabled}
            onChange={e => setSetting('auto_eviction', e.target.checked)}
          />
          <span>{trans.__('Free step outputs once they are used (auto eviction)')}</span>
        </label>
        <Field
          name="data_passing_memory_size"
          label={trans.__('Memory for passing data')}
          value={typeof settings.data_passing_memory_size === 'string' ? settings.data_passing_memory_size : ''}
          disabled={disabled}
          onCommit={value => setSetting('data_passing_memory_size', value)}
        />
        <Field
          name="max_steps_parallelism"
          label={trans.__('Steps at once (0: no limit)')}
          value={String(settings.max_steps_parallelism ?? 0)}
          disabled={disabled}
          onCommit={value => {
            const n = Number(value);
            if (Number.isInteger(n) && n >= 0) {
              setSetting('max_steps_parallelism', n);
            } else {
              controller.say(trans.__('Steps at once must be a whole number, 0 or more.'), 'warning');
            }
          }}
        />
        <div className="jp-OrchestProps-field">
          <span>{trans.__('Pipeline parameters')}</span>
          <ParameterRows
            value={parameters}
            disabled={disabled}
            trans={trans}
            onCommit={value => model.updatePipeline({ parameters: value }, 'Edit pipeline parameters')}
          />
        </div>
        <JSONField
          name="pipeline_parameters"
          label={trans.__('Pipeline parameters (JSON)')}
          value={parameters}
          disabled={disabled}
          trans={trans}
          onCommit={value => model.updatePipeline({ parameters: value }, 'Edit pipeline parameters')}
        />
        <p className="jp-OrchestProps-hint">
          {trans.__('Select a step to edit it. Drag from a step’s right handle to another step to connect them.')}
        </p>
      </>
    );
  }
  return (
    <div className="jp-OrchestProps">
      {content}
    </div>
  );
}
