import { IRun } from '../../api';
import type { OrchestEvent } from '../../events';
import { runName } from '../../editor/runview';
import { finishedInPlace, IStepFileState, stepFilePath, StepFileRuns } from '../stepruns';

const steps = {
  a: { title: 'Load', file_path: 'load.ipynb', state: 'PENDING', started: null, finished: null, error: null, log_path: null },
  b: { title: 'Report', file_path: '../shared/report.py', state: 'PENDING', started: null, finished: null, error: null, log_path: null }
} as IRun['steps'];

function created(runUuid: string, interactive = true, number: number | null = null): OrchestEvent {
  return {
    type: 'run-created',
    seq: 1,
    run_uuid: runUuid,
    pipeline_path: 'project/p.orchest',
    run: { uuid: runUuid, interactive, steps, number } as any
  } as OrchestEvent;
}

function step(runUuid: string, stepUuid: string, state: string): OrchestEvent {
  return { type: 'step', seq: 2, run_uuid: runUuid, step_uuid: stepUuid, state } as OrchestEvent;
}

describe('StepFileRuns', () => {
  it('names step files from the server root', () => {
    expect(stepFilePath('project/p.orchest', 'load.ipynb')).toBe('project/load.ipynb');
    expect(stepFilePath('project/p.orchest', '../shared/report.py')).toBe('shared/report.py');
    expect(stepFilePath('p.orchest', 'nb/x.ipynb')).toBe('nb/x.ipynb');
  });

  it('follows the states of step files; a notebook finished in place once it ran', async () => {
    const runs = new StepFileRuns(() => Promise.reject(new Error('not read')));
    const seen: IStepFileState[] = [];
    runs.stepChanged.connect((_, s) => seen.push({ ...s }));
    await runs.handle(created('r1'));
    expect(runs.latest('project/load.ipynb')?.state).toBe('PENDING');
    await runs.handle(step('r1', 'a', 'RUNNING'));
    await runs.handle(step('r1', 'a', 'COMPUTED'));
    expect(seen.map(s => [s.path, s.state, finishedInPlace(s)])).toEqual([
      ['project/load.ipynb', 'RUNNING', false],
      ['project/load.ipynb', 'COMPUTED', true]
    ]);
    // A script, and a step aborted before it ran, wrote no notebook.
    await runs.handle(step('r1', 'b', 'RUNNING'));
    await runs.handle(step('r1', 'b', 'FAILURE'));
    expect(finishedInPlace(seen[3])).toBe(false);
    await runs.handle(created('r2'));
    await runs.handle(step('r2', 'a', 'ABORTED'));
    expect(finishedInPlace(seen[4])).toBe(false);
    // The latest run is the one shown.
    expect(runs.latest('project/load.ipynb')).toMatchObject({ runUuid: 'r2', runNumber: null, state: 'ABORTED' });
    expect(runs.latest('elsewhere.ipynb')).toBeNull();
  });

  it('names a live run by the number its first event carries, before it is recorded', async () => {
    const runs = new StepFileRuns(() => Promise.reject(new Error('not recorded yet')));
    const seen: IStepFileState[] = [];
    runs.stepChanged.connect((_, s) => seen.push({ ...s }));
    await runs.handle(created('r3', true, 3));
    expect(runs.latest('project/load.ipynb')).toMatchObject({ runUuid: 'r3', runNumber: 3, state: 'PENDING' });
    await runs.handle(step('r3', 'a', 'RUNNING'));
    expect(seen).toEqual([expect.objectContaining({ runNumber: 3, state: 'RUNNING' })]);
    expect(runName({ uuid: 'r3', number: seen[0].runNumber })).toBe('3');
  });

  it('a non-interactive run ran a snapshot: nothing finished in place', async () => {
    const runs = new StepFileRuns(() => Promise.reject(new Error('not read')));
    const seen: IStepFileState[] = [];
    runs.stepChanged.connect((_, s) => seen.push({ ...s }));
    await runs.handle(created('r1', false));
    await runs.handle(step('r1', 'a', 'RUNNING'));
    await runs.handle(step('r1', 'a', 'COMPUTED'));
    expect(seen.map(finishedInPlace)).toEqual([false, false]);
  });

  it('reads a run it did not see created (once), and ignores unknown runs', async () => {
    const getRun = jest.fn(async (uuid: string) => {
      if (uuid !== 'r9') {
        throw new Error('404');
      }
      return {
        uuid,
        pipeline_path: 'project/p.orchest',
        interactive: true,
        number: 12,
        steps: { ...steps, a: { ...steps.a, state: 'RUNNING' } }
      } as unknown as IRun;
    });
    const runs = new StepFileRuns(getRun);
    const seen: IStepFileState[] = [];
    runs.stepChanged.connect((_, s) => seen.push({ ...s }));
    await Promise.all([runs.handle(step('r9', 'b', 'RUNNING')), runs.handle(step('r9', 'a', 'COMPUTED'))]);
    expect(getRun).toHaveBeenCalledTimes(1);
    // Running when it was read: its notebook is written when it ends.
    expect(seen.find(s => s.stepUuid === 'a')).toMatchObject({ state: 'COMPUTED', runNumber: 12 });
    expect(finishedInPlace(seen.find(s => s.stepUuid === 'a')!)).toBe(true);
    await runs.handle(step('unknown', 'a', 'COMPUTED'));
    expect(seen).toHaveLength(2);
  });
});
