/**
 * The step cache in the properties panel: a step's opt-out and the files it
 * reads, where its output in the run shown came from; the pipeline's setting.
 */

import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IStepView, JSONObject, pipelineCaches, stepCache, withPipelineCache, withStepCache } from '../model';
import { CheckField } from '../components/field';
import { PipelineController } from './controller';
import { CommitField } from './fields';

interface IStepCacheProps {
  controller: PipelineController;
  step: IStepView;
  trans: TranslationBundle;
}

export function StepCacheFields({ controller, step, trans }: IStepCacheProps): JSX.Element {
  const cache = stepCache(step.raw);
  const update = (next: typeof cache): void =>
    controller.model!.updateStep(step.uuid, { orchest_jlab: withStepCache(step.raw, next) }, 'Edit step cache');
  const runStep = controller.runs.step(step.uuid);
  return (
    <div className="jp-OrchestProps-cache" role="group" aria-label={trans.__('Step cache')}>
      <CheckField
        name="orchest_jlab.cache"
        label={trans.__('Cache: skip when unchanged (off: always runs, e.g. for side effects)')}
        checked={cache.enabled}
        disabled={controller.readOnly}
        onChange={enabled => update({ ...cache, enabled })}
      />
      <CommitField
        name="orchest_jlab.cache.reads"
        label={trans.__('Files it reads (glob patterns, comma-separated)')}
        value={cache.reads.join(', ')}
        disabled={controller.readOnly || !cache.enabled}
        onCommit={text => update({ ...cache, reads: text.split(',') })}
      />
      {runStep?.cached_from ? (
        <div className="jp-OrchestProps-cached" data-cached-from={runStep.cached_from}>
          {trans.__('Cached: not run, its output is from run %1', runStep.cached_from)}
        </div>
      ) : null}
    </div>
  );
}

export function PipelineCacheField(props: {
  controller: PipelineController;
  settings: JSONObject;
  trans: TranslationBundle;
}): JSX.Element {
  const { controller, settings, trans } = props;
  return (
    <CheckField
      name="orchest_jlab.cache"
      label={trans.__('Every run uses the step cache (unchanged steps are not run again)')}
      checked={pipelineCaches(settings)}
      disabled={controller.readOnly}
      onChange={on => controller.model!.updatePipeline({ settings: withPipelineCache(settings, on) }, 'Edit settings')}
    />
  );
}
