/**
 * The React view of the pipeline editor: the canvas (@xyflow/react) and the
 * layout around it (panels.tsx, properties.tsx).
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
  ReactFlow,
  ReactFlowProvider,
  useReactFlow
} from '@xyflow/react';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { PathExt } from '@jupyterlab/coreutils';
import { IStepView } from '../model';
import { PipelineController } from './controller';
import { edgeId, isStepFile } from './helpers';

/** What the file browser's drags carry: the dragged paths. */
const CONTENTS_MIME = 'application/x-jupyter-icontents';
import {
  ControllerContext,
  IStepNodeData,
  nodeTypes,
  sameData,
  StepNodeType,
  TransContext
} from './nodes';
import { NODE_HEIGHT, NODE_WIDTH } from './layout';
import { useController, useRefitOnResize } from './hooks';
import { CanvasMessages, LogPanel, ProblemsBar } from './panels';
import { PropertiesPanel } from './properties';

/**
 * The whole editor.
 */
export function PipelineEditorView(props: {
  controller: PipelineController;
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

function nodeData(controller: PipelineController, step: IStepView): IStepNodeData {
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

/** Canvases made so far (their ids). */
let flowCount = 0;

/**
 * The canvas: steps and connections.
 */
function Canvas(props: { controller: PipelineController; trans: TranslationBundle }): JSX.Element {
  const { controller, trans } = props;
  const version = useController(controller);
  const flow = useReactFlow();
  const model = controller.model!;
  const [nodes, setNodes] = React.useState<StepNodeType[]>([]);
  const [edges, setEdges] = React.useState<Edge[]>([]);
  const dragging = React.useRef(false);
  // Arrow markers are looked up by id in the page: one id per canvas.
  const flowId = React.useMemo(() => `orchest-flow-${++flowCount}`, []);

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
      controller.edits.moveSteps(
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
      controller.edits.connect(connection.source, connection.target);
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
      controller.edits.connect(source, target);
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
      void controller.edits.addStepsForFiles(files, [at.x - NODE_WIDTH / 2, at.y - NODE_HEIGHT / 2]);
      node.focus({ preventScroll: true }); // the new steps are selected: Delete applies at once
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

  useRefitOnResize(container, flow);

  const settings = controller.services.settings();
  return (
    <div
      ref={container}
      className="jp-OrchestEditor-canvas"
      tabIndex={-1}
      onMouseDown={event => (event.currentTarget as HTMLElement).focus({ preventScroll: true })}
    >
      <ReactFlow<StepNodeType, Edge>
        id={flowId}
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
        <CanvasMessages controller={controller} trans={trans} />
      </ReactFlow>
      <ProblemsBar controller={controller} trans={trans} />
    </div>
  );
}
