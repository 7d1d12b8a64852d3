import { pipelineCaches, stepCache, withPipelineCache, withStepCache } from '../cache';

describe('step cache settings', () => {
  it("reads a step's opt-out and the files it reads", () => {
    expect(stepCache({ title: 'A' })).toEqual({ enabled: true, reads: [] });
    expect(stepCache({ orchest_jlab: { cache: false } })).toEqual({ enabled: false, reads: [] });
    expect(stepCache({ orchest_jlab: { cache: { reads: ['data/*.csv', 3, ''] } } })).toEqual({
      enabled: true,
      reads: ['data/*.csv']
    });
  });

  it("writes them beside the step's other settings, and drops the key when nothing is left", () => {
    const step = { orchest_jlab: { retries: 2 } };
    expect(withStepCache(step, { enabled: false, reads: ['x'] })).toEqual({ retries: 2, cache: false });
    expect(withStepCache(step, { enabled: true, reads: [' a.csv ', ' '] })).toEqual({
      retries: 2,
      cache: { reads: ['a.csv'] }
    });
    expect(withStepCache({ orchest_jlab: { cache: false } }, { enabled: true, reads: [] })).toBeUndefined();
  });

  it("turns the pipeline's setting on and off, keeping Orchest's settings", () => {
    const settings = { max_steps_parallelism: 2 };
    const on = withPipelineCache(settings, true);
    expect(on).toEqual({ max_steps_parallelism: 2, orchest_jlab: { cache: true } });
    expect(pipelineCaches(on)).toBe(true);
    expect(withPipelineCache(on, false)).toEqual(settings);
    expect(pipelineCaches(settings)).toBe(false);
  });
});
