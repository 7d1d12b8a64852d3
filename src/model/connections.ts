/**
 * Which connections between steps the model refuses, and why.
 */

import { downstreamPath, Incoming } from './dag';
import type { IStepView } from './steps';

/**
 * The outcome of an edit that can be refused.
 */
export type EditResult = { ok: true } | ({ ok: false } & IRefusal);

/**
 * Why a connection is refused: `message` in English, `reason` and `steps`
 * (step labels: titles, or uuids for steps without one) to translate it.
 */
export interface IRefusal {
  readonly reason: 'missing' | 'self' | 'duplicate' | 'cycle';
  /**
   * missing: [the missing uuid]; self: [the step]; duplicate: [source,
   * target]; cycle: [source, target, ...the cycle from source back to it].
   */
  readonly steps: string[];
  readonly message: string;
}

/**
 * What the check reads of a pipeline (the model).
 */
export interface IConnectable {
  has(uuid: string): boolean;
  step(uuid: string): IStepView | undefined;
  label(uuid: string): string;
  graph(): Incoming;
}

/**
 * Why connecting `source` to `target` is refused, or null when it is fine.
 */
export function connectionRefusal(pipeline: IConnectable, source: string, target: string): IRefusal | null {
  if (!pipeline.has(source) || !pipeline.has(target)) {
    const missing = pipeline.has(source) ? target : source;
    return { reason: 'missing', steps: [missing], message: `There is no step "${missing}".` };
  }
  const [from, to] = [pipeline.label(source), pipeline.label(target)];
  if (source === target) {
    return {
      reason: 'self',
      steps: [from],
      message: `A step cannot be connected to itself ("${from}").`
    };
  }
  if (pipeline.step(target)!.incoming.includes(source)) {
    return {
      reason: 'duplicate',
      steps: [from, to],
      message: `"${from}" is already connected to "${to}".`
    };
  }
  const path = downstreamPath(pipeline.graph(), target, source);
  if (path) {
    const labels = [source, ...path].map(u => pipeline.label(u));
    const cycle = labels.map(l => `"${l}"`).join(' → ');
    return {
      reason: 'cycle',
      steps: [from, to, ...labels],
      message: `Connecting "${from}" to "${to}" would make a cycle: ${cycle}.`
    };
  }
  return null;
}
