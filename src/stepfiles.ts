/**
 * The steps that run a notebook or script (for the file browser's "Run
 * step"), and the steps a step depends on.
 */

import { IFileStep, OrchestAPI } from './api';
import { ancestors } from './model';

/**
 * The step and the steps it depends on, directly or not, in the pipeline as
 * saved.
 */
export async function withIncomingSteps(api: OrchestAPI, step: IFileStep): Promise<string[]> {
  const response = await api.getPipeline(step.pipeline_path);
  const pipeline = response.pipeline as { steps?: { [uuid: string]: any } } | null;
  const graph = new Map<string, string[]>();
  for (const [uuid, value] of Object.entries(pipeline?.steps ?? {})) {
    const incoming = Array.isArray(value?.incoming_connections) ? value.incoming_connections : [];
    graph.set(uuid, incoming.filter((s: unknown) => typeof s === 'string'));
  }
  return [...ancestors(graph, [step.step_uuid]), step.step_uuid];
}
