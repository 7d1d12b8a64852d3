/**
 * Which pipelines a notebook or script is a step of (for the file browser's
 * "Run step" and "Add to pipeline…").
 */

import { PathExt } from '@jupyterlab/coreutils';

import { OrchestAPI } from './api';
import { ancestors } from './model';

/**
 * A step of a pipeline that runs a given file.
 */
export interface IStepOfFile {
  /** The pipeline file, relative to the server's root. */
  pipeline: string;
  pipelineName: string;
  step: string;
  title: string;
  /** The step and the steps it depends on, directly or not. */
  withIncoming: string[];
}

/**
 * Every step (of every pipeline under the server's root) whose file is
 * `path` (relative to the server's root).
 */
export async function stepsOfFile(api: OrchestAPI, path: string): Promise<IStepOfFile[]> {
  const target = PathExt.normalize(path);
  const summaries = await api.listPipelines();
  const documents = await Promise.all(
    summaries.map(s => api.getPipeline(s.path).catch(() => null))
  );
  const found: IStepOfFile[] = [];
  documents.forEach((response, i) => {
    const pipeline = response?.pipeline as { steps?: { [uuid: string]: any } } | null;
    if (!pipeline || typeof pipeline.steps !== 'object' || !pipeline.steps) {
      return;
    }
    const summary = summaries[i];
    const dir = PathExt.dirname(summary.path);
    const graph = new Map<string, string[]>();
    for (const [uuid, step] of Object.entries(pipeline.steps)) {
      const incoming = Array.isArray(step?.incoming_connections) ? step.incoming_connections : [];
      graph.set(uuid, incoming.filter((s: unknown) => typeof s === 'string'));
    }
    for (const [uuid, step] of Object.entries(pipeline.steps)) {
      if (typeof step?.file_path !== 'string') {
        continue;
      }
      if (PathExt.normalize(PathExt.join(dir, step.file_path)) === target) {
        found.push({
          pipeline: summary.path,
          pipelineName: summary.name,
          step: uuid,
          title: typeof step.title === 'string' && step.title ? step.title : uuid,
          withIncoming: [...ancestors(graph, [uuid]), uuid]
        });
      }
    }
  });
  return found;
}
