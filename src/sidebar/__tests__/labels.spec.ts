import { pipelineLabels } from '../labels';

describe('pipelineLabels', () => {
  it('shows the folder only where names repeat', () => {
    const labels = pipelineLabels([
      { path: 'a/untitled.orchest', name: 'untitled' },
      { path: 'b/c/untitled.orchest', name: 'untitled' },
      { path: 'weather.orchest', name: 'Weather quickstart' },
      { path: 'untitled.orchest', name: 'untitled' }
    ]);
    expect(labels.get('a/untitled.orchest')).toEqual({ name: 'untitled', where: 'a' });
    expect(labels.get('b/c/untitled.orchest')).toEqual({ name: 'untitled', where: 'b/c' });
    expect(labels.get('untitled.orchest')).toEqual({ name: 'untitled', where: '/' });
    expect(labels.get('weather.orchest')).toEqual({ name: 'Weather quickstart', where: null });
  });

  it('shows the file where the folder repeats too, and names unnamed pipelines by their file', () => {
    const labels = pipelineLabels([
      { path: 'p/one.orchest', name: 'Same' },
      { path: 'p/two.orchest', name: 'Same' },
      { path: 'q/three.orchest', name: 'Same' },
      { path: 'q/blank.orchest', name: '  ' }
    ]);
    expect(labels.get('p/one.orchest')!.where).toBe('p/one.orchest');
    expect(labels.get('p/two.orchest')!.where).toBe('p/two.orchest');
    expect(labels.get('q/three.orchest')!.where).toBe('q');
    expect(labels.get('q/blank.orchest')).toEqual({ name: 'blank', where: null });
  });
});
