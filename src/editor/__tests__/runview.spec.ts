import { isInside } from '../helpers';
import { runFilePath, runName, shortUuid } from '../runview';

describe('run view helpers', () => {
  it('places a step file in the run’s project', () => {
    expect(runFilePath('quickstart.orchest', 'transform.ipynb')).toBe('transform.ipynb');
    expect(runFilePath('pipelines/a.orchest', 'steps/b.ipynb')).toBe('pipelines/steps/b.ipynb');
    expect(runFilePath('pipelines/a.orchest', '../data/c.ipynb')).toBe('data/c.ipynb');
  });

  it('names runs by their number, by their uuid until they have one', () => {
    const uuid = '0f8e5c1a-3b2d-4c6e-8f7a-9b0c1d2e3f4a';
    expect(shortUuid(uuid)).toBe('0f8e5c1a');
    expect(runName({ uuid, number: 12 })).toBe('12');
    expect(runName({ uuid, number: null })).toBe('0f8e5c1a');
    expect(runName({ uuid })).toBe('0f8e5c1a');
  });

  it('tells whether a pipeline is inside a project folder', () => {
    expect(isInside('examples/quickstart.orchest', 'examples')).toBe(true);
    expect(isInside('examples/quickstart.orchest', '')).toBe(true);
    expect(isInside('examples/quickstart.orchest', './examples/')).toBe(true);
    expect(isInside('myexamples/quickstart.orchest', 'examples')).toBe(false);
    expect(isInside('examples', 'examples')).toBe(false);
  });
});
